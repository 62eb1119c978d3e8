using System.Security.Claims;
using Maneiro.Grains.Interfaces;
using Maneiro.Web.Clinics;
using Maneiro.Web.Data;
using Maneiro.Web.Jobs;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace Maneiro.Web.Pages;

public sealed class IndexModel(UserManager<ManeiroUser> users, IGrainFactory grains, IOptions<UploadOptions> uploads, Maneiro.Infrastructure.OpenAi.PromptLibrary prompts, ClinicMembership memberships, AnalysisAccess access, Maneiro.Web.Extensions.ViewerTime viewer) : PageModel
{
    private const int PageSize = 20;

    /// <summary>A search reads this many of the newest analyses' progress states (their headlines), never their results.</summary>
    public const int SearchDepth = 500;

    /// <summary>One list for the form and the model: the prompt catalog's specialties.</summary>
    public IReadOnlyList<(string Value, string Label)> SpecialtyChoices => prompts.SpecialtyChoices;

    public string FirstName { get; private set; } = "";

    public Membership Me { get; private set; } = null!;

    /// <summary>For staff: the clinic's clinicians, one of whom each upload is for.</summary>
    public IReadOnlyList<(string UserId, string Name)> Clinicians { get; private set; } = [];

    public bool MayUpload => Me.Can(ClinicAction.SubmitDocument);

    public bool UploadsForClinician => MayUpload && !Me.Roles.HasFlag(ClinicRoles.Clinician);

    public IReadOnlyList<AnalysisProgress> Jobs { get; private set; } = [];

    /// <summary>Recordings started and never submitted (a closed tab, a dropped connection), offered for resumption.</summary>
    public IReadOnlyList<RecordingView> UnfinishedRecordings { get; private set; } = [];

    /// <summary>The account's choice for recordings: review the transcript first (the default) or analyze right away.</summary>
    public bool ReviewsTranscripts { get; private set; } = true;

    public int PageNumber { get; private set; } = 1;

    public int PageCount { get; private set; } = 1;

    [FromQuery(Name = "error")]
    public string? Error { get; set; }

    [FromQuery(Name = "q")]
    public string? Query { get; set; }

    [FromQuery(Name = "status")]
    public Maneiro.Grains.Domain.AnalysisStatusFilter Status { get; set; }

    [FromQuery(Name = "from")]
    public DateOnly? From { get; set; }

    [FromQuery(Name = "to")]
    public DateOnly? To { get; set; }

    public bool Searching => !Search.IsEmpty;

    public Maneiro.Grains.Domain.AnalysisSearch Search => new(Query, Status, From, To);

    /// <summary>The viewer's time zone, for the history's times.</summary>
    public TimeZoneInfo Zone { get; private set; } = TimeZoneInfo.Utc;

    public long MaxDocumentMb => uploads.Value.MaxDocumentBytes / (1024 * 1024);

    public long MaxAudioMb => uploads.Value.MaxAudioBytes / (1024 * 1024);

    /// <summary>The query string of the current search, for the pager's links.</summary>
    public string SearchQuery => string.Join("&", new[] { ("q", Query), ("status", Status == Maneiro.Grains.Domain.AnalysisStatusFilter.Any ? null : Status.ToString()), ("from", From?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)), ("to", To?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)) }
        .Where(p => !string.IsNullOrWhiteSpace(p.Item2)).Select(p => p.Item1 + "=" + Uri.EscapeDataString(p.Item2!)));

    public async Task OnGetAsync([FromQuery(Name = "page")] int page = 1)
    {
        FirstName = (await users.GetUserAsync(User))?.FirstName ?? "";
        var userId = User.FindFirstValue(ClaimTypes.NameIdentifier)!;
        Me = (await memberships.ForAsync(HttpContext))!;
        if (UploadsForClinician && await memberships.Clinic(Me.ClinicId).Read() is { } clinic)
        {
            var clinicians = new List<(string, string)>();
            foreach (var member in clinic.Members.Where(m => m.Roles.HasFlag(ClinicRoles.Clinician)))
            {
                var account = await users.FindByIdAsync(member.UserId);
                clinicians.Add((member.UserId, account?.DisplayName is { Length: > 0 } name ? $"{name} ({member.Email})" : member.Email));
            }

            Clinicians = clinicians;
        }

        if (MayUpload)
        {
            UnfinishedRecordings = await RecordingEndpoints.UnfinishedAsync(grains, userId);
            ReviewsTranscripts = await grains.GetGrain<IUserGrain>(userId).ReviewsTranscripts();
        }

        Zone = await viewer.ZoneAsync();
        var index = grains.GetGrain<IJobIndexGrain>(IndexKeys.AnalysesOf(userId));
        AnalysisProgress?[] statuses;
        if (Searching)
        {
            // Filtered over the newest analyses' small progress states, then paged.
            var all = await Task.WhenAll((await index.Page(0, SearchDepth)).Select(id => grains.GetGrain<IAnalysisGrain>(id).GetProgress()));
            var matches = all.Where(p => p is not null && Search.Matches(p, Zone)).ToList();
            PageCount = Math.Max(1, (matches.Count + PageSize - 1) / PageSize);
            PageNumber = Math.Clamp(page, 1, PageCount);
            statuses = [.. matches.Skip((PageNumber - 1) * PageSize).Take(PageSize)];
        }
        else
        {
            var total = await index.Count();
            PageCount = Math.Max(1, (total + PageSize - 1) / PageSize);
            PageNumber = Math.Clamp(page, 1, PageCount);
            var ids = await index.Page((PageNumber - 1) * PageSize, PageSize);
            statuses = await Task.WhenAll(ids.Select(id => grains.GetGrain<IAnalysisGrain>(id).GetProgress()));
        }

        // Another member's analysis (uploaded as staff) shows only while this account may still see it.
        var visibleOwners = new Dictionary<string, bool>(StringComparer.Ordinal) { [userId] = true };
        foreach (var owner in statuses.Where(s => s is not null).Select(s => s!.OwnerId).Distinct().Where(o => o != userId))
        {
            visibleOwners[owner] = await access.MaySeeForAsync(Me, owner);
        }

        Jobs = statuses.Where(s => s is not null && visibleOwners[s.OwnerId]).Select(s => s!).ToList();
    }
}
