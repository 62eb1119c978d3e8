namespace Maneiro.Infrastructure.OpenAi;

/// <summary><c>OpenAI:*</c> settings; the key is <c>OPENAI_API_KEY</c>.</summary>
public sealed class LlmOptions
{
    public const string SectionName = "OpenAI";

    public string? ApiKey { get; set; }

    /// <summary>Any OpenAI-compatible endpoint (Azure OpenAI, a gateway, or a local fake); OpenAI's own when unset.</summary>
    public string? Endpoint { get; set; }

    public string Model { get; set; } = "gpt-4.1";

    public string TranscriptionModel { get; set; } = "whisper-1";

    /// <summary>The model for live visits: it labels who spoke each segment.</summary>
    public string DiarizationModel { get; set; } = "gpt-4o-transcribe-diarize";

    public int TimeoutSeconds { get; set; } = 120;

    public int MaxRetries { get; set; } = 3;
}
