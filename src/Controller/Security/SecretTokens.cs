using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Farm.Controller.Security;

/// <summary>
/// Tokens are 32 random bytes in base64url; the store keeps only their SHA-256, so a copy of the
/// database admits nobody. Agent credentials are <c>agent.ID.SECRET</c> with a secret of the same kind.
/// </summary>
public static class SecretTokens
{
    public const string AgentPrefix = "agent.";

    public static string New() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    public static string AgentCredential(string agentId, string secret) => AgentPrefix + agentId + "." + secret;

    /// <summary>Splits <c>agent.ID.SECRET</c>; false for anything else. Ids may hold dots; secrets never do.</summary>
    public static bool TryParseAgentCredential(string token, out string agentId, out string secret)
    {
        agentId = secret = "";
        if (!token.StartsWith(AgentPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        var last = token.LastIndexOf('.');
        if (last <= AgentPrefix.Length || last == token.Length - 1)
        {
            return false;
        }

        agentId = token[AgentPrefix.Length..last];
        secret = token[(last + 1)..];
        return true;
    }
}
