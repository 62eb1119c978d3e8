using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Maneiro.Web.Letters;

/// <summary>Section <c>Letters:Export</c>: how long one PDF render may take.</summary>
public sealed class LetterExportOptions
{
    public const string SectionName = "Letters:Export";

    public TimeSpan TimeBudget { get; set; } = TimeSpan.FromSeconds(20);
}

/// <summary>Why an export did not produce a PDF.</summary>
public enum LetterExportRefusal
{
    None,

    /// <summary>Another export of the same user's is still rendering.</summary>
    Busy,

    /// <summary>The render ran out its time budget.</summary>
    OverBudget,
}

/// <summary>What a render is for; each has its own turn per user.</summary>
public enum LetterRender
{
    /// <summary>A PDF the user takes away (the download, the FHIR bundle's attachment).</summary>
    Download,

    /// <summary>The page image a letter's page shows beside its editor.</summary>
    Preview,
}

/// <summary>
/// Renders letter PDFs off the request thread under a time budget, one at a time per user and purpose across web
/// instances (a Redis lock that expires with the budget, so a crashed instance cannot hold it). Downloads and previews
/// take separate turns: a letter's page loads its preview image as it opens, and a download clicked meanwhile must not
/// be refused as "another PDF of yours".
/// </summary>
public sealed class LetterExport(IConnectionMultiplexer redis, IOptions<LetterExportOptions> options)
{
    public TimeSpan Budget => options.Value.TimeBudget;

    /// <summary>What the user is told when a render was refused (the letter's download and the FHIR export say the same).</summary>
    public string Explain(LetterExportRefusal refusal) => refusal switch
    {
        LetterExportRefusal.Busy => "Another PDF of yours is being prepared. Wait for it to finish, then try again.",
        _ => $"This letter could not be turned into a PDF within {Budget.TotalSeconds:0} seconds. Shorten it, or split very long lines, and try again.",
    };

    /// <summary>The Redis key of a user's turn for <paramref name="purpose"/>.</summary>
    private static string TurnKey(string userId, LetterRender purpose) => purpose switch
    {
        LetterRender.Preview => $"maneiro:letter-preview:{userId}",
        _ => $"maneiro:letter-export:{userId}",
    };

    public async Task<(byte[]? Pdf, LetterExportRefusal Refusal)> RenderAsync(string userId, LetterRender purpose, LetterPdfInput input, CancellationToken requestAborted)
    {
        var database = redis.GetDatabase();
        var key = (RedisKey)TurnKey(userId, purpose);
        var token = (RedisValue)Guid.NewGuid().ToString("N");
        if (!await database.LockTakeAsync(key, token, Budget + TimeSpan.FromSeconds(5)))
        {
            return (null, LetterExportRefusal.Busy);
        }

        try
        {
            using var budget = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);

            // CancelAfter fires on a timer even for no time at all; a budget of none is spent before the render starts.
            if (Budget <= TimeSpan.Zero)
            {
                await budget.CancelAsync();
            }
            else
            {
                budget.CancelAfter(Budget);
            }

            try
            {
                // Layout is CPU work: on the thread pool, never the request's synchronization path.
                var pdf = await Task.Run(() => LetterPdf.Render(input, budget.Token), budget.Token);
                return (pdf, LetterExportRefusal.None);
            }
            catch (OperationCanceledException) when (!requestAborted.IsCancellationRequested)
            {
                return (null, LetterExportRefusal.OverBudget);
            }
        }
        finally
        {
            await database.LockReleaseAsync(key, token);
        }
    }
}
