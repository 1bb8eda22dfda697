using Farm.Core.Pipelines;

namespace Farm.Core.Tests.Pipelines;

public sealed class ImageReferenceTests
{
    private const string Digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    [Theory]
    [InlineData("busybox")]
    [InlineData("farm/busybox")]
    [InlineData("farm/busybox:latest")]
    [InlineData("localhost:5000/team/app:1.2")]
    [InlineData("localhost/app")]
    [InlineData("registry.example.com/a/b@" + Digest)]
    [InlineData("registry.example.com:443/a/b:v1@" + Digest)]
    [InlineData("[::1]:5000/app")]
    [InlineData("a__b/c-d")]
    [InlineData("a.b_c---d/e")]
    [InlineData("not_a.host/app")]
    [InlineData("app:_Tag.with-Upper_1")]
    public void Valid_references_are_accepted(string reference)
    {
        // Act
        var valid = ImageReference.TryValidate(reference, out var error);

        // Assert
        Assert.True(valid, error);
        Assert.Null(error);
        Assert.True(ImageReference.IsValid(reference));
    }

    [Theory]
    [InlineData("Farm/Busybox", "repository names must be lowercase; use 'farm/busybox'")]
    [InlineData("registry.example.com/Team/App:V1", "repository names must be lowercase; use 'registry.example.com/team/app:V1'")]
    [InlineData("bad image", "an image reference cannot contain spaces")]
    [InlineData(":tag", "the image name is missing")]
    [InlineData("a:b:c", "the image has more than one tag (':')")]
    [InlineData("farm/", "the image has an empty path component")]
    [InlineData("/farm", "the image has an empty path component")]
    [InlineData("farm//busybox", "the image has an empty path component")]
    [InlineData("", "the image is empty")]
    [InlineData("app:.hidden", "the tag '.hidden' is not valid")]
    [InlineData("app@sha256:abc", "the digest 'sha256:abc' is not valid")]
    [InlineData("app@md5:0123456789abcdef0123456789abcdef", "the digest 'md5:0123456789abcdef0123456789abcdef' is not valid")]
    [InlineData("a..b", "'a..b' is not a valid path component")]
    [InlineData("a_-b", "'a_-b' is not a valid path component")]
    [InlineData("-app", "'-app' is not a valid path component")]
    [InlineData("bad_host.example.com:5000/app", "the registry 'bad_host.example.com:5000' is not a valid host[:port]")]
    [InlineData("example.com:port/app", "the registry 'example.com:port' is not a valid host[:port]")]
    public void Invalid_references_are_rejected_with_a_reason(string reference, string expectedStart)
    {
        // Act
        var valid = ImageReference.TryValidate(reference, out var error);

        // Assert
        Assert.False(valid);
        Assert.StartsWith(expectedStart, error);
        Assert.False(ImageReference.IsValid(reference));
    }

    [Fact]
    public void Tag_of_129_characters_is_too_long_and_128_is_fine()
    {
        // Arrange
        var longest = "app:" + new string('t', 128);
        var tooLong = "app:" + new string('t', 129);

        // Act
        var longestValid = ImageReference.IsValid(longest);
        var tooLongValid = ImageReference.TryValidate(tooLong, out var error);

        // Assert
        Assert.True(longestValid);
        Assert.False(tooLongValid);
        Assert.StartsWith("the tag 'ttt", error);
        Assert.Contains("1-128 letters", error);
    }

    [Fact]
    public void Name_of_256_characters_is_too_long_and_255_is_fine()
    {
        // Arrange: 51 components of "abcd" joined by '/' are 254 characters; one more makes 255.
        var longest = string.Join('/', Enumerable.Repeat("abcd", 51)) + "x";
        var tooLong = longest + "e";

        // Act
        var longestValid = ImageReference.IsValid(longest);
        var tooLongValid = ImageReference.TryValidate(tooLong, out var error);

        // Assert
        Assert.Equal(255, longest.Length);
        Assert.True(longestValid);
        Assert.False(tooLongValid);
        Assert.Equal("the image name is 256 characters long; shorten it to at most 255", error);
    }
}
