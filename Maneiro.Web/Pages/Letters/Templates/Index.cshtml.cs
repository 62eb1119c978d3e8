using Maneiro.Grains.Interfaces;
using Maneiro.Web.Clinics;
using Maneiro.Web.Letters;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Maneiro.Web.Pages.Letters.Templates;

public sealed class IndexModel(LetterTemplates templates, ClinicMembership memberships) : PageModel
{
    public IReadOnlyList<LetterTemplateView> Templates { get; private set; } = [];

    public bool MayManage { get; private set; }

    public async Task OnGetAsync()
    {
        var me = (await memberships.ForAsync(HttpContext))!;
        MayManage = me.Can(ClinicAction.ManageTemplates);
        Templates = await templates.OfClinicAsync(me.ClinicId);
    }
}
