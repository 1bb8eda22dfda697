using System.Security.Cryptography;
using System.Text;

namespace Farm.Controller.Triggers;

/// <summary>HMAC-SHA256 signatures and token comparison for webhooks, in constant time.</summary>
public static class WebhookSignature
{
    /// <summary>Lower-case hex HMAC-SHA256 of <paramref name="body"/> under <paramref name="secret"/>.</summary>
    public static string Sign(string secret, ReadOnlySpan<byte> body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    /// <summary>True when <paramref name="hex"/> is the HMAC-SHA256 of the body (either case).</summary>
    public static bool HexMatches(string? hex, string secret, ReadOnlySpan<byte> body)
    {
        if (hex is null || hex.Length != 64)
        {
            return false;
        }

        byte[] given;
        try
        {
            given = Convert.FromHexString(hex);
        }
        catch (FormatException)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(given, HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));
    }

    /// <summary>True when <paramref name="token"/> equals <paramref name="secret"/>.</summary>
    public static bool TokenMatches(string? token, string secret) =>
        token is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(token), Encoding.UTF8.GetBytes(secret));
}
