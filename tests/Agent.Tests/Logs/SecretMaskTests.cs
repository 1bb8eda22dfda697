using System.Text;
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
}
