using YamlDotNet.RepresentationModel;

namespace Farm.Core.Pipelines;

/// <summary>An action that declares a namespace or makes an artifact, as the parser records it.</summary>
/// <param name="Name">The namespace or artifact name as written.</param>
/// <param name="Node">The value node that names it, for "first declared on line N" messages.</param>
/// <param name="ActionName">The action's name, or <c>action N</c> when it has no usable name.</param>
/// <param name="Position">Where the action runs.</param>
internal sealed record Producer(string Name, YamlNode Node, string ActionName, RunPosition Position);
