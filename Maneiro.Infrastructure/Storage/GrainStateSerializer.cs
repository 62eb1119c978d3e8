using Maneiro.Grains.Analyses;
using Maneiro.Grains.Letters;
using Newtonsoft.Json;
using Newtonsoft.Json.Serialization;
using Orleans.Serialization;
using Orleans.Storage;

namespace Maneiro.Infrastructure.Storage;

/// <summary>
/// How grain state is stored in PostgreSQL. New rows use the Orleans binary format, which names types and fields by
/// their <c>[Alias]</c> and <c>[Id]</c>, so classes can be renamed and moved without touching stored data. Rows written
/// before (up to commit ab972ae) are Orleans' default Newtonsoft JSON, which names CLR types and properties: they are
/// read through a table of the names that have changed since, and rewritten in the binary format on their next save.
/// </summary>
public sealed class GrainStateSerializer : IGrainStorageSerializer
{
    /// <summary>Marks a binary row; a legacy JSON row starts with '{'.</summary>
    private const byte BinaryFormat = 0x01;

    private readonly Serializer _binary;
    private readonly JsonSerializerSettings _legacy;

    public GrainStateSerializer(Serializer binary, IServiceProvider services)
    {
        _binary = binary;
        _legacy = OrleansJsonSerializerSettings.GetDefaultSerializerSettings(services);
        _legacy.SerializationBinder = new RenamedTypes(_legacy.SerializationBinder!);
        _legacy.ContractResolver = new RenamedProperties();
    }

    /// <summary>Type names written by earlier versions, and the type that reads them now.</summary>
    private static readonly Dictionary<string, Type> TypeRenames = new(StringComparer.Ordinal)
    {
        ["Maneiro.Grains.Jobs.JobState"] = typeof(AnalysisState),
        ["Maneiro.Grains.Interfaces.JobRequest"] = typeof(Maneiro.Grains.Interfaces.AnalysisRequest),
        ["Maneiro.Grains.Jobs.LetterState"] = typeof(LetterState),
    };

    /// <summary>Property names written by earlier versions, per type that reads them now.</summary>
    private static readonly Dictionary<(Type, string), string> PropertyRenames = new()
    {
        [(typeof(AnalysisState), nameof(AnalysisState.FailureMessage))] = "Error",
        [(typeof(AnalysisState), nameof(AnalysisState.LegacyExtractedText))] = "ExtractedText",
        [(typeof(AnalysisState), nameof(AnalysisState.LegacyAnalysisJson))] = "AnalysisJson",
        [(typeof(AnalysisState), nameof(AnalysisState.LegacyResult))] = "Result",
        [(typeof(AnalysisState), nameof(AnalysisState.LegacyReferences))] = "References",
        [(typeof(LetterState), nameof(LetterState.FailureMessage))] = "Error",
    };

    public BinaryData Serialize<T>(T? input)
    {
        var body = _binary.SerializeToArray(input);
        var bytes = new byte[body.Length + 1];
        bytes[0] = BinaryFormat;
        body.CopyTo(bytes, 1);
        return new BinaryData(bytes);
    }

    public T? Deserialize<T>(BinaryData input)
    {
        var bytes = input.ToMemory();
        if (bytes.Length > 0 && bytes.Span[0] == BinaryFormat)
        {
            return _binary.Deserialize<T>(bytes[1..]);
        }

        return JsonConvert.DeserializeObject<T>(input.ToString(), _legacy);
    }

    private sealed class RenamedTypes(ISerializationBinder inner) : ISerializationBinder
    {
        public Type BindToType(string? assemblyName, string typeName) =>
            TypeRenames.TryGetValue(typeName, out var renamed) ? renamed : inner.BindToType(assemblyName, typeName);

        public void BindToName(Type serializedType, out string? assemblyName, out string? typeName) =>
            inner.BindToName(serializedType, out assemblyName, out typeName);
    }

    private sealed class RenamedProperties : DefaultContractResolver
    {
        protected override JsonProperty CreateProperty(System.Reflection.MemberInfo member, MemberSerialization memberSerialization)
        {
            var property = base.CreateProperty(member, memberSerialization);
            if (member.DeclaringType is { } type && PropertyRenames.TryGetValue((type, member.Name), out var written))
            {
                property.PropertyName = written;
            }

            return property;
        }
    }
}
