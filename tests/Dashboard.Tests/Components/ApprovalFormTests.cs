using Bunit;
using Farm.Dashboard.Components.Approvals;
using Farm.Dashboard.Controller;
using Google.Protobuf.WellKnownTypes;

namespace Farm.Dashboard.Tests.Components;

public sealed class ApprovalFormTests : BunitContext
{
    private readonly List<ApprovalDecision> _decisions = [];

    private IRenderedComponent<ApprovalForm> RenderForm(bool canApprove, string reviewUrl = "https://review.example.com/app-7") =>
        Render<ApprovalForm>(p => p
            .Add(f => f.ExecutionId, "app-7")
            .Add(f => f.Stage, "Gate")
            .Add(f => f.Action, "sign-off")
            .Add(f => f.Message, "Ship app-7 to production?")
            .Add(f => f.ReviewUrl, reviewUrl)
            .Add(f => f.Deadline, Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero)))
            .Add(f => f.CanApprove, canApprove)
            .Add(f => f.OnDecide, decision => _decisions.Add(decision)));

    [Fact]
    public void Shows_the_question_the_review_link_and_the_deadline()
    {
        var form = RenderForm(canApprove: true);

        Assert.Equal("Ship app-7 to production?", form.Find(".approval-message").TextContent);
        Assert.Equal("https://review.example.com/app-7", form.Find("a").GetAttribute("href"));
        Assert.Contains("2026-11-28 12:00:00 UTC", form.Find(".deadline").TextContent);
    }

    [Theory]
    [InlineData("javascript:alert(document.cookie)")]
    [InlineData(" JavaScript:fetch('/api')")]
    [InlineData("data:text/html,<script>alert(1)</script>")]
    [InlineData("//evil.example/review")]
    [InlineData("ftp://files.example/app-7")]
    public void A_review_address_that_is_not_http_or_https_is_shown_as_text_not_a_link(string reviewUrl)
    {
        var form = RenderForm(canApprove: true, reviewUrl);

        Assert.Empty(form.FindAll("a"));
        Assert.Equal($"Review first: {reviewUrl}", form.Find(".not-a-link").TextContent);
    }

    [Fact]
    public void An_https_review_address_is_a_link_that_opens_apart()
    {
        var link = RenderForm(canApprove: true).Find("a");

        Assert.Equal(("https://review.example.com/app-7", "_blank", "noopener noreferrer"),
            (link.GetAttribute("href"), link.GetAttribute("target"), link.GetAttribute("rel")));
        Assert.Equal("Review first: https://review.example.com/app-7", link.TextContent);
    }

    [Fact]
    public void Approve_sends_the_decision_with_the_comment()
    {
        var form = RenderForm(canApprove: true);

        form.Find("textarea").Input("  release notes checked ");
        form.Find("button.approve").Click();

        Assert.Equal([new ApprovalDecision("app-7", "Gate", "sign-off", true, "release notes checked")], _decisions);
    }

    [Fact]
    public void Reject_without_a_comment_is_held_back_and_says_why()
    {
        var form = RenderForm(canApprove: true);

        form.Find("button.reject").Click();
        var held = form.Find("[role=alert]").TextContent;
        form.Find("textarea").Input("not on a Friday");
        form.Find("button.reject").Click();

        Assert.StartsWith("Say why you reject it", held);
        Assert.Equal([new ApprovalDecision("app-7", "Gate", "sign-off", false, "not on a Friday")], _decisions);
    }

    [Fact]
    public void A_role_that_cannot_approve_is_offered_no_buttons()
    {
        var form = RenderForm(canApprove: false);

        Assert.Empty(form.FindAll("button"));
        Assert.Contains("cannot decide approvals", form.Find(".hint").TextContent);
    }
}
