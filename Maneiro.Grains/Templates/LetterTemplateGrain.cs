using Maneiro.Grains.Domain.Letters;
using Maneiro.Grains.Interfaces;
using Maneiro.Grains.Services;

namespace Maneiro.Grains.Templates;

[GenerateSerializer, Alias("Maneiro.LetterTemplateState")]
public sealed class LetterTemplateState
{
    [Id(0)] public string? ClinicId { get; set; }

    [Id(1)] public List<LetterTemplateVersion> Versions { get; set; } = [];
}

/// <summary>A clinic's letter template: versions appended on every save, never changed; who may save is checked here.</summary>
[GrainType("lettertemplate")]
public sealed class LetterTemplateGrain(
    [PersistentState("template", GrainStorage.Name)] IPersistentState<LetterTemplateState> state,
    IJobIndexStore jobIndex,
    TimeProvider time) : Grain, ILetterTemplateGrain
{
    private LetterTemplateState S => state.State;

    private string Id => this.GetPrimaryKeyString();

    public async Task<LetterTemplateView> Save(string clinicId, TemplateContent content, string actorId)
    {
        if (S.ClinicId is { } owner && owner != clinicId)
        {
            throw new LetterRefusedException("There is no such template.");
        }

        await TemplateAccess.RequireAsync(GrainFactory, clinicId, actorId);

        var (tidy, problem) = TemplateRules.Check(content);
        if (problem is not null)
        {
            throw new LetterRefusedException(problem);
        }

        if (S.Versions.Count > 0 && S.Versions[^1].Content.Name == tidy.Name && S.Versions[^1].Content.Kind == tidy.Kind
            && S.Versions[^1].Content.Language == tidy.Language && S.Versions[^1].Content.Sections.SequenceEqual(tidy.Sections))
        {
            // Saved unchanged: no new version.
            return View(S.ClinicId!);
        }

        var created = S.ClinicId is null;
        S.ClinicId = clinicId;
        S.Versions.Add(new LetterTemplateVersion(S.Versions.Count + 1, tidy, time.GetUtcNow(), actorId));
        await GrainStorage.WriteAsync(state);
        if (created)
        {
            await jobIndex.AddAsync(IndexKeys.TemplatesOf(clinicId), [(Id, S.Versions[0].SavedAt)]);
        }

        return View(clinicId);
    }

    public Task<LetterTemplateView?> View() => Task.FromResult(S.ClinicId is { } clinicId ? View(clinicId) : null);

    public async Task<bool> Remove(string actorId)
    {
        if (S.ClinicId is not { } clinicId)
        {
            return false;
        }

        await TemplateAccess.RequireAsync(GrainFactory, clinicId, actorId);

        await GrainFactory.GetGrain<IJobIndexGrain>(IndexKeys.TemplatesOf(clinicId)).Remove(Id);
        await state.ClearStateAsync();
        DeactivateOnIdle();
        return true;
    }

    private LetterTemplateView View(string clinicId) => new(Id, clinicId, S.Versions.ToList());
}
