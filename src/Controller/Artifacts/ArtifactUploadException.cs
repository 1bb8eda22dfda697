namespace Farm.Controller.Artifacts;

/// <summary>
/// An upload chunk the <see cref="ArtifactStore"/> cannot accept: it would leave a gap, it runs past
/// the declared size, or the finished archive does not match its SHA-256. The message says what to
/// send instead; the gRPC layer turns it into INVALID_ARGUMENT.
/// </summary>
public sealed class ArtifactUploadException(string message) : Exception(message);
