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

    public async Task<Letterhead> SaveDetails(Letterhead details)
    {
        state.State.Letterhead = details with { LogoPng = state.State.Letterhead?.LogoPng };
        await GrainStorage.WriteAsync(state);
        return state.State.Letterhead;
    }

    public async Task<Letterhead> SetLogo(byte[]? png)
    {
        state.State.Letterhead = (state.State.Letterhead ?? Letterhead.Empty) with { LogoPng = png };
        await GrainStorage.WriteAsync(state);
        return state.State.Letterhead;
    }
}
