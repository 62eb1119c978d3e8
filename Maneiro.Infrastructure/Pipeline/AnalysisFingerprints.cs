using System.Security.Cryptography;
using System.Text;
using Maneiro.Infrastructure.Configuration;
using Maneiro.Infrastructure.OpenAi;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace Maneiro.Infrastructure.Pipeline;

/// <summary>
/// Recognises a document already analysed with the same settings, so it is not paid for twice. The fingerprint is an
/// HMAC under a per-user key derived from <c>SECRET_KEY</c>, over the content's SHA-256 and everything that shapes the
/// result (specialty, OCR setting, model, prompt version, ICD-10-CM table): holding the file tells nobody else anything,
/// and a change of model, prompt or code table makes every earlier result a miss.
/// </summary>
public sealed class AnalysisFingerprints(NpgsqlDataSource database, byte[] secret, string pipeline) : IAnalysisFingerprintIndex
{
    public static AnalysisFingerprints Create(NpgsqlDataSource database, IConfiguration configuration)
    {
        var secret = HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(configuration.Required(SecretSettings.SecretKey)), 32, info: "maneiro-analysis-fingerprint-v1"u8.ToArray());
        var model = configuration.GetSection(LlmOptions.SectionName).Get<LlmOptions>()?.Model ?? new LlmOptions().Model;
        return new AnalysisFingerprints(database, secret, PipelineIdentity(model, Icd10Tables.NameFor(configuration["Icd10:CodesFile"])));
    }

    /// <summary>What, besides the document, decides an analysis's result.</summary>
    public static string PipelineIdentity(string model, string codeTable) => $"model={model}\nprompts={PromptLibrary.Version}\ncodes={codeTable}";

    public string Pipeline => pipeline;

    public byte[] Of(string ownerId, ReadOnlySpan<byte> contentSha256, string specialty, bool forceOcr)
    {
        var ownerKey = HMACSHA256.HashData(secret, Encoding.UTF8.GetBytes("owner:" + ownerId));
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, ownerKey);
        hmac.AppendData(Encoding.UTF8.GetBytes($"{pipeline}\nspecialty={specialty}\nforceOcr={forceOcr}\ncontent="));
        hmac.AppendData(contentSha256);
        return hmac.GetHashAndReset();
    }

    /// <summary>The newest analysis recorded under this fingerprint, if any (it may since have failed: the caller checks).</summary>
    public async Task<string?> FindAsync(string ownerId, byte[] fingerprint, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand("SELECT analysis_id FROM analysis_fingerprints WHERE owner_id = $1 AND fingerprint = $2");
        command.Parameters.Add(new NpgsqlParameter { Value = ownerId });
        command.Parameters.Add(new NpgsqlParameter { Value = fingerprint });
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    /// <summary>Records a new analysis of the document; it replaces an earlier one (an explicit "analyze again").</summary>
    public async Task RememberAsync(string ownerId, byte[] fingerprint, string analysisId, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(
            "INSERT INTO analysis_fingerprints (owner_id, fingerprint, analysis_id) VALUES ($1, $2, $3) " +
            "ON CONFLICT (owner_id, fingerprint) DO UPDATE SET analysis_id = excluded.analysis_id, created_at = now()");
        command.Parameters.Add(new NpgsqlParameter { Value = ownerId });
        command.Parameters.Add(new NpgsqlParameter { Value = fingerprint });
        command.Parameters.Add(new NpgsqlParameter { Value = analysisId });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task ForgetAsync(string analysisId)
    {
        await using var command = database.CreateCommand("DELETE FROM analysis_fingerprints WHERE analysis_id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = analysisId });
        await command.ExecuteNonQueryAsync();
    }
}
