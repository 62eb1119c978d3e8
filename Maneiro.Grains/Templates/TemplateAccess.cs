using Maneiro.Grains.Clinics;
using Maneiro.Grains.Interfaces;

namespace Maneiro.Grains.Templates;

internal static class TemplateAccess
{
    /// <summary>The actor is an admin or clinician of the clinic now; otherwise the refusal, as template refusals are.</summary>
    public static async Task RequireAsync(IGrainFactory grains, string clinicId, string actorId)
    {
        try
        {
            await ClinicChecks.RequireMemberAsync(grains, clinicId, actorId, ClinicAction.ManageTemplates);
        }
        catch (ClinicRefusedException ex)
        {
            throw new LetterRefusedException(ex.Message);
        }
    }
}
