using Maneiro.Grains.Interfaces;

namespace Maneiro.Grains.Users;

[GenerateSerializer, Alias("Maneiro.LetterheadState")]
public sealed class LetterheadState
{
    [Id(0)] public Letterhead? Letterhead { get; set; }
}

[GrainType("letterhead")]
public sealed class LetterheadGrain([PersistentState("letterhead", GrainStorage.Name)] IPersistentState<LetterheadState> state) : Grain, ILetterheadGrain
{
    public Task<Letterhead> Read() => Task.FromResult(state.State.Letterhead ?? Letterhead.Empty);

    public Task ForgetAccount() => state.ClearStateAsync();

    private async Task<Letterhead> SaveAsync(Letterhead letterhead)
    {
        state.State.Letterhead = letterhead;
        await GrainStorage.WriteAsync(state);
        return letterhead;
    }

    public Task<Letterhead> SaveClinicPart(Letterhead details) =>
        SaveAsync(Letterhead.Compose(details with { LogoPng = state.State.Letterhead?.LogoPng }, state.State.Letterhead ?? Letterhead.Empty));

    public Task<Letterhead> SaveSignature(Letterhead details) =>
        SaveAsync(Letterhead.Compose(state.State.Letterhead ?? Letterhead.Empty, details));

    public async Task<Letterhead> SetLogo(byte[]? png)
    {
        state.State.Letterhead = (state.State.Letterhead ?? Letterhead.Empty) with { LogoPng = png };
        await GrainStorage.WriteAsync(state);
        return state.State.Letterhead;
    }
}
