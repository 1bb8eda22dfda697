namespace Farm.Controller.Executions;

/// <summary>What an agent does with an attempt, as the execution checks it and the audit log names it.</summary>
public enum AttemptUse
{
    /// <summary>Holds it: an accepted offer, or a resume after a reconnect (hello's running list).</summary>
    Claim,

    /// <summary>Reports its end (AttemptFinished).</summary>
    Finish,

    /// <summary>Ships its log (ShipLog).</summary>
    ShipLog,

    /// <summary>Uploads an output archive (UploadArtifact).</summary>
    UploadArtifact,

    /// <summary>Downloads an input archive (DownloadArtifactBlob).</summary>
    DownloadArtifact,

    /// <summary>Names it as running in a heartbeat.</summary>
    Heartbeat,
}
