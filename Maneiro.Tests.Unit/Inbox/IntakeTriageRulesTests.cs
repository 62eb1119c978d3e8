using Maneiro.Grains.Domain.Inbox;
using Maneiro.Grains.Interfaces;
using Maneiro.Testing;

namespace Maneiro.Tests.Unit.Inbox;

/// <summary>Triage never invents: quotes are checked against the page, clinic rules win over the model, and nothing outside the clinic is suggested.</summary>
public sealed class IntakeTriageRulesTests
{
    private const string Page = """
        FAX from Lakeside Eye Associates, fax (555) 201-7788
        Referring: Dr. Paulo Mendes
        Patient: Maria Lopes   DOB: 03/14/1958
        Sudden flashes and a curtain over the left eye since yesterday. Please see urgently for possible retinal detachment.
        """;

    private static readonly TriageClinician Ana = new("user-ana", "ana.souza@clinic.example");

    private static TriageDocument Parse(string json) => TriageDocument.Parse(json).Document!;

    [Fact]
    public void A_field_whose_quote_is_on_the_page_keeps_it_and_one_whose_quote_is_not_is_left_empty()
    {
        var document = Parse(InboxFlows.TriageAnswer(
            patient: InboxFlows.Quoted("Maria Lopes", "Patient: Maria Lopes"),
            dateOfBirth: InboxFlows.Quoted("1958-03-14", "DOB: 03/14/1958"),
            provider: InboxFlows.Quoted("Dr. Paulo Mendes", "Referring:   Dr. Paulo\nMendes"),
            fax: InboxFlows.Quoted("(555) 999-0000", "fax (555) 999-0000"),
            clinic: InboxFlows.Quoted("Lakeside Eye Associates", ""),
            facts: [("Flashes and a curtain in the left eye", "Sudden flashes and a curtain over the left eye"), ("Diabetic", "long-standing diabetes")]));

        var triage = IntakeTriageRules.Apply(document, Page, [Ana], InboxSettings.Default);

        Assert.Equal(new QuotedValue("Maria Lopes", "Patient: Maria Lopes"), triage.PatientName);
        Assert.Equal("1958-03-14", triage.PatientDateOfBirth.Value);
        Assert.Equal("Dr. Paulo Mendes", triage.SenderProvider.Value);

        // An invented fax number and a value without any quote are empty, and so counted.
        Assert.Equal(QuotedValue.Empty, triage.SenderFax);
        Assert.Equal(QuotedValue.Empty, triage.SenderClinic);
        Assert.Equal(["Flashes and a curtain in the left eye"], triage.Facts.Select(f => f.Fact));
        Assert.Equal(3, triage.DroppedQuotes);
    }

    [Fact]
    public void The_first_matching_clinic_rule_replaces_the_model_s_urgency_and_says_why()
    {
        var document = Parse(InboxFlows.TriageAnswer(kind: "referral", urgency: "routine", reason: "Follow-up."));
        var settings = InboxSettings.Default with
        {
            Rules =
            [
                new InboxUrgencyRule(IntakeKind.LabResult, "", IntakeUrgency.Soon),
                new InboxUrgencyRule(null, "retinal detachment", IntakeUrgency.Stat),
                new InboxUrgencyRule(IntakeKind.Referral, "", IntakeUrgency.Urgent),
            ],
        };

        var triage = IntakeTriageRules.Apply(document, Page, [Ana], settings);

        Assert.Equal(IntakeUrgency.Stat, triage.Urgency);
        Assert.Equal(IntakeUrgency.Routine, triage.ModelUrgency);
        Assert.Equal("Set to stat by the clinic's rule: the document mentions \u201Cretinal detachment\u201D.", triage.UrgencyReason);

        var withoutRules = IntakeTriageRules.Apply(document, Page, [Ana], InboxSettings.Default);
        Assert.Equal(IntakeUrgency.Routine, withoutRules.Urgency);
        Assert.Equal("The model's reading: Follow-up.", withoutRules.UrgencyReason);
    }

    [Fact]
    public void Only_a_clinician_of_the_clinic_can_be_suggested()
    {
        Assert.Equal("user-ana", IntakeTriageRules.Apply(Parse(InboxFlows.TriageAnswer(suggestedClinician: "ANA.souza@clinic.example ")), Page, [Ana], InboxSettings.Default).SuggestedClinicianId);
        Assert.Null(IntakeTriageRules.Apply(Parse(InboxFlows.TriageAnswer(suggestedClinician: "someone@elsewhere.example")), Page, [Ana], InboxSettings.Default).SuggestedClinicianId);
    }

    [Theory]
    [InlineData("referral", IntakeKind.Referral)]
    [InlineData("consultation_report", IntakeKind.ConsultationReport)]
    [InlineData("lab_result", IntakeKind.LabResult)]
    [InlineData("imaging_report", IntakeKind.ImagingReport)]
    [InlineData("prior_authorization_request", IntakeKind.PriorAuthorizationRequest)]
    [InlineData("prior_authorization_decision", IntakeKind.PriorAuthorizationDecision)]
    [InlineData("insurance_correspondence", IntakeKind.InsuranceCorrespondence)]
    [InlineData("records_request", IntakeKind.RecordsRequest)]
    [InlineData("prescription", IntakeKind.Prescription)]
    [InlineData("patient_message", IntakeKind.PatientMessage)]
    [InlineData("other", IntakeKind.Other)]
    public void Every_kind_in_the_schema_maps_to_one_kind(string name, IntakeKind kind)
    {
        Assert.Equal(kind, TriageDocument.KindNamed(name));
        Assert.Equal(name, TriageDocument.NameOf(kind));
    }

    [Fact]
    public void An_answer_with_an_unknown_kind_or_urgency_goes_back_for_repair()
    {
        var (document, errors) = TriageDocument.Parse(InboxFlows.TriageAnswer(kind: "invoice", urgency: "asap"));
        Assert.Null(document);
        Assert.Equal(2, errors.Count);
    }

    [Fact]
    public void Settings_are_checked_before_they_are_saved()
    {
        Assert.Throws<ClinicRefusedException>(() => InboxSettingsRules.Checked(InboxSettings.Default with { Rules = [new InboxUrgencyRule(null, "  ", IntakeUrgency.Stat)] }));
        Assert.Throws<ClinicRefusedException>(() => InboxSettingsRules.Checked(InboxSettings.Default with { Schedule = [new InboxSchedule(IntakeUrgency.Stat, "Same day", 0)] }));

        // A table missing an urgency gets its default row; words are trimmed.
        var saved = InboxSettingsRules.Checked(new InboxSettings([new InboxUrgencyRule(IntakeKind.LabResult, " critical ", IntakeUrgency.Urgent)], [new InboxSchedule(IntakeUrgency.Stat, " Within 2 hours ", 45)]));
        Assert.Equal("critical", saved.Rules[0].Keyword);
        Assert.Equal(new InboxSchedule(IntakeUrgency.Stat, "Within 2 hours", 45), saved.ScheduleFor(IntakeUrgency.Stat));
        Assert.Equal(InboxSettings.Default.ScheduleFor(IntakeUrgency.Routine), saved.ScheduleFor(IntakeUrgency.Routine));
    }

    [Theory]
    [InlineData(JobStage.Ocr, null, false, IntakeStatus.Reading)]
    [InlineData(JobStage.Complete, null, false, IntakeStatus.Triaged)]
    [InlineData(JobStage.Complete, "user-ana", false, IntakeStatus.Assigned)]
    [InlineData(JobStage.Complete, "user-ana", true, IntakeStatus.Done)]
    [InlineData(JobStage.Failed, null, false, IntakeStatus.Failed)]
    [InlineData(JobStage.Failed, null, true, IntakeStatus.Done)]
    public void An_item_s_status_follows_its_stage_assignment_and_done_mark(JobStage stage, string? assignedTo, bool done, IntakeStatus status) =>
        Assert.Equal(status, IntakeStages.Status(stage, assignedTo, done ? DateTimeOffset.UnixEpoch : null));
}
