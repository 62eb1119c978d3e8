using Maneiro.Grains.Domain.Letters;
using Maneiro.Grains.Interfaces;
using Maneiro.Grains.Services;
using Orleans.Concurrency;

namespace Maneiro.Grains.Templates;

/// <summary>
/// Asks the model for a template from an example letter and scrubs every patient detail out of its answer before it
/// leaves the silo. Stateless: nothing of the example is kept.
/// </summary>
[StatelessWorker]
[GrainType("templateproposal")]
public sealed class TemplateProposalGrain(ITemplateProposer proposer) : Grain, ITemplateProposalGrain
{
    public async Task<TemplateProposal> Propose(string clinicId, string actorId, string example, string language)
    {
        await TemplateAccess.RequireAsync(GrainFactory, clinicId, actorId);

        string? problem = example.Trim().Length switch
        {
            0 => "Paste the example letter first.",
            > TemplateExamples.MaxCharacters => $"The example is limited to {TemplateExamples.MaxCharacters:N0} characters.",
            _ => null,
        };
        if (problem is not null)
        {
            throw new LetterRefusedException(problem);
        }

        TemplateContent proposal;
        try
        {
            proposal = await proposer.ProposeAsync(example, LetterLanguage.IsSupported(language) ? language : "en", CancellationToken.None);
        }
        catch (JobFailedException ex)
        {
            throw new LetterRefusedException(ex.Message);
        }

        var (clean, replacements) = PhiScrubber.Scrub(proposal, example);
        return new TemplateProposal(TemplateRules.Check(clean).Content, replacements);
    }
}
