using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Farm.Agent.Logs;

namespace Farm.Agent.Tests.Logs;

public sealed class SecretMaskTests
{
    [Fact]
    public void Values_their_lines_and_base64_forms_become_stars_and_short_values_are_left_alone()
    {
        var mask = new SecretMask(["hunter22", "line one\nline two", "ab"]);
        var base64 = Convert.ToBase64String(Encoding.UTF8.GetBytes("hunter22"));

        var text = mask.Apply($"pw=hunter22 b64={base64} first=line one, ab stays");
        var bytes = Encoding.UTF8.GetString(mask.Apply(Encoding.UTF8.GetBytes("x hunter22 line two\n")).Span);

        Assert.Equal("pw=*** b64=*** first=***, ab stays", text);
        Assert.Equal("x *** ***\n", bytes);
    }

    [Fact]
    public async Task The_spool_never_writes_a_secret_to_disk()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("farm-mask-").FullName, "log");
        await using (var spool = new LogSpool(path, new SecretMask(["s3cr3t-value"])))
        {
            var writer = spool.CreateWriter();
            await writer.WriteAsync(Encoding.UTF8.GetBytes("token is s3cr3t-"));
            await writer.WriteAsync(Encoding.UTF8.GetBytes("value\n"));
            await writer.FlushAsync();
        }

        Assert.Equal("token is ***\n", await File.ReadAllTextAsync(path));
    }

    /// <summary>A secret with characters that base64 turns into '+' and '/' and that URL encoding escapes.</summary>
    private const string Secret = "p>?~ss w0rd/with+chars";

    private static string LowerEscapes(string escaped) => Regex.Replace(escaped, "%[0-9A-F]{2}", m => m.Value.ToLowerInvariant());

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    public static TheoryData<string, string> Transforms() => new()
    {
        { "base64", Base64(Secret) },
        { "base64 without padding", Base64(Secret).TrimEnd('=') },
        { "base64 of the value and a newline (echo | base64)", Base64(Secret + "\n") },
        { "base64 of the value and a newline, without padding", Base64(Secret + "\n").TrimEnd('=') },
        { "URL-safe base64", Base64(Secret).Replace('+', '-').Replace('/', '_') },
        { "hex, lower case", Convert.ToHexStringLower(Encoding.UTF8.GetBytes(Secret)) },
        { "hex, upper case", Convert.ToHexString(Encoding.UTF8.GetBytes(Secret)) },
        { "URL-encoded with %20", Uri.EscapeDataString(Secret) },
        { "form-encoded with +", WebUtility.UrlEncode(Secret) },
        { "URL-encoded with lower-case escapes", LowerEscapes(Uri.EscapeDataString(Secret)) },
        { "form-encoded with lower-case escapes (HttpUtility)", LowerEscapes(WebUtility.UrlEncode(Secret)) },
        { "reversed", new string(Secret.Reverse().ToArray()) },
        { "first half", Secret[..(Secret.Length / 2)] },
        { "second half", Secret[(Secret.Length / 2)..] },
    };

    [Theory]
    [MemberData(nameof(Transforms))]
    public void Each_common_transform_of_a_secret_is_masked(string transform, string form)
    {
        var mask = new SecretMask([Secret]);

        var masked = mask.Apply($"[{form}]");

        Assert.True(masked == "[***]", $"{transform}: '{form}' became '{masked}'");
        Assert.True(mask.Finds(form), transform);
    }

    [Theory]
    [InlineData("")]
    [InlineData("t=")]
    [InlineData("tok=")]
    [InlineData("token=")]
    public void The_base64_of_a_secret_inside_a_longer_text_is_masked_at_every_alignment(string prefix)
    {
        // `echo "token=$S" | base64`: the secret's characters depend on where it falls in a 3-byte group.
        var encoded = Base64(prefix + Secret + "\n");

        var left = new SecretMask([Secret]).Apply(encoded);

        // Around the stars stay only the prefix's characters, the newline's, and at most one character
        // on each side that mixes the secret's bits with its neighbours'.
        Assert.Contains("***", left);
        Assert.True(left.Replace("***", "").Length <= Base64(prefix).Length + 1 + 4, $"'{encoded}' became '{left}'");
    }

    [Fact]
    public void Transforms_shorter_than_four_characters_and_halves_of_short_values_are_left_alone()
    {
        var mask = new SecretMask(["abc", "short-secret"]);

        // "cba" is "abc" reversed, but three characters: masking it would mask ordinary words. Its
        // base64 "YWJj" and hex "616263" are four characters or more; the halves of a 12-character
        // value are six, too short to mask.
        var masked = mask.Apply("cba YWJj 616263 | short- secret");

        Assert.Equal("cba *** *** | short- secret", masked);
    }

    [Fact]
    public async Task A_transform_split_across_writes_is_masked_in_the_spool()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("farm-mask-").FullName, "log");
        var hex = Convert.ToHexStringLower(Encoding.UTF8.GetBytes("s3cr3t-value"));
        await using (var spool = new LogSpool(path, new SecretMask(["s3cr3t-value"])))
        {
            var writer = spool.CreateWriter();
            await writer.WriteAsync(Encoding.UTF8.GetBytes("hex " + hex[..7]));
            await writer.WriteAsync(Encoding.UTF8.GetBytes(hex[7..] + "\n"));
            await writer.FlushAsync();
        }

        Assert.Equal("hex ***\n", await File.ReadAllTextAsync(path));
    }
}
