using Maneiro.Grains.Interfaces;

namespace Maneiro.Tests.Unit.Clinics;

/// <summary>The role × action matrix, written out whole: a change to any cell must change this table.</summary>
public sealed class ClinicPolicyTests
{
    private const ClinicRoles AdminClinician = ClinicRoles.Admin | ClinicRoles.Clinician;

    public static TheoryData<ClinicAction, bool, bool, bool, bool> Matrix() => new()
    {
        // action                                     admin  admin+clin  clinician  staff
        { ClinicAction.SubmitDocument,                false, true,       true,      true },
        { ClinicAction.ReadAnalysis,                  false, true,       true,      true },
        { ClinicAction.DraftClinicalLetter,           false, true,       true,      false },
        { ClinicAction.DraftAdministrativeLetter,     false, true,       true,      true },
        { ClinicAction.SignLetter,                    false, true,       true,      false },
        { ClinicAction.ExportSignedLetter,            false, true,       true,      false },
        { ClinicAction.ManageMembers,                 true,  true,       false,     false },
        { ClinicAction.ManagePolicy,                  true,  true,       false,     false },
        { ClinicAction.EditClinicLetterhead,          true,  true,       false,     false },
        { ClinicAction.ManageBilling,                 true,  true,       false,     false },
        { ClinicAction.ReadClinicAudit,               true,  true,       false,     false },
        { ClinicAction.ReadInbox,                     true,  true,       true,      true },
        { ClinicAction.WorkInbox,                     false, true,       true,      true },
        { ClinicAction.TickClinicianTasks,            false, true,       true,      false },
        { ClinicAction.ManageInbox,                   true,  true,       false,     false },
        { ClinicAction.ManageData,                    true,  true,       false,     false },
        { ClinicAction.ManageTemplates,               true,  true,       true,      false },
        { ClinicAction.ManageRecordConnection,        true,  true,       false,     false },
        { ClinicAction.SendToRecord,                  false, true,       true,      false },
    };

    [Theory]
    [MemberData(nameof(Matrix))]
    public void Each_role_may_do_exactly_its_cells(ClinicAction action, bool admin, bool adminClinician, bool clinician, bool staff)
    {
        Assert.Equal(admin, ClinicPolicy.Allows(ClinicRoles.Admin, action));
        Assert.Equal(adminClinician, ClinicPolicy.Allows(AdminClinician, action));
        Assert.Equal(clinician, ClinicPolicy.Allows(ClinicRoles.Clinician, action));
        Assert.Equal(staff, ClinicPolicy.Allows(ClinicRoles.Staff, action));
        Assert.False(ClinicPolicy.Allows(ClinicRoles.None, action));
    }

    [Fact]
    public void Every_action_is_in_the_matrix()
    {
        var listed = Matrix().Select(row => (ClinicAction)row[0]).ToHashSet();
        Assert.Equal(Enum.GetValues<ClinicAction>().ToHashSet(), listed);
    }

    [Fact]
    public void Staff_draft_only_patient_summaries_and_insurance_letters()
    {
        var staffMay = Enum.GetValues<LetterKind>().Where(k => ClinicPolicy.Allows(ClinicRoles.Staff, ClinicPolicy.DraftActionFor(k))).ToList();
        Assert.Equal([LetterKind.PatientSummary, LetterKind.PriorAuthorization], staffMay);
    }

    [Fact]
    public void Only_the_four_role_sets_are_valid()
    {
        var valid = Enumerable.Range(0, 8).Select(i => (ClinicRoles)i).Where(ClinicPolicy.IsValid).ToList();
        Assert.Equal([ClinicRoles.Admin, ClinicRoles.Clinician, AdminClinician, ClinicRoles.Staff], valid);
    }
}
