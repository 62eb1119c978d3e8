using Maneiro.Grains.Domain.Letters;
using Maneiro.Grains.Interfaces;

namespace Maneiro.Tests.Unit.Letters;

public sealed class LetterChoicesTests
{
    [Fact]
    public void Purposes_fit_their_kinds_and_an_insurance_letter_without_one_is_a_prior_authorization()
    {
        var (insurance, none) = LetterChoices.Check(LetterKind.PriorAuthorization, LetterTone.Warm, LetterDetail.Brief, LetterPurpose.Default, "ignored");
        Assert.Null(none);
        Assert.Equal(new LetterOptions(LetterTone.Warm, LetterDetail.Brief, LetterPurpose.PriorAuthorization), insurance);

        var (appeal, _) = LetterChoices.Check(LetterKind.PriorAuthorization, LetterTone.Professional, LetterDetail.Standard, LetterPurpose.DenialAppeal, "  Not covered.  ");
        Assert.Equal("Not covered.", appeal!.DenialReason);

        Assert.NotNull(LetterChoices.Check(LetterKind.Referral, LetterTone.Professional, LetterDetail.Standard, LetterPurpose.ResultsNormal, null).Problem);
        Assert.NotNull(LetterChoices.Check(LetterKind.PatientSummary, (LetterTone)42, LetterDetail.Standard, LetterPurpose.Default, null).Problem);
        Assert.NotNull(LetterChoices.Check(LetterKind.PriorAuthorization, LetterTone.Professional, LetterDetail.Standard, LetterPurpose.DenialAppeal, new string('x', LetterChoices.MaxDenialReason + 1)).Problem);
        Assert.Equal("Simple and clear · Detailed · Results: need follow-up", LetterChoices.Describe(new LetterOptions(LetterTone.Simple, LetterDetail.Detailed, LetterPurpose.ResultsNeedFollowUp)));
    }

    [Fact]
    public void Insurance_correspondence_quoting_a_denial_is_answered_by_an_appeal_quoting_it()
    {
        static IntakeTriage Triage(params IntakeFact[] facts) => new(IntakeKind.InsuranceCorrespondence, IntakeUrgency.Routine, IntakeUrgency.Routine, "", QuotedValue.Empty, QuotedValue.Empty, QuotedValue.Empty, QuotedValue.Empty, QuotedValue.Empty, facts, null, [], [], 0);

        var appeal = LetterChoices.ForInsuranceReply(Triage(new IntakeFact("Claim denied", "Denied: step therapy not documented.")));
        Assert.Equal((LetterPurpose.DenialAppeal, "Denied: step therapy not documented."), (appeal.Purpose, appeal.DenialReason));
        Assert.Equal(LetterPurpose.PriorAuthorization, LetterChoices.ForInsuranceReply(Triage(new IntakeFact("Member id on file", "ID 123"))).Purpose);
    }
}
