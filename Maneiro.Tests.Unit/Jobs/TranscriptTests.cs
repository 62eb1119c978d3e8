using Maneiro.Grains.Domain;
using Maneiro.Grains.Domain.Jobs;

namespace Maneiro.Tests.Unit.Jobs;

public sealed class TranscriptTests
{
    [Fact]
    public void Speakers_are_numbered_in_the_order_they_first_speak_and_a_speakers_consecutive_segments_are_one_turn()
    {
        var text = SpeakerTranscript.Format([("spk_1", "Hello. "), ("spk_1", "How are you?"), ("spk_0", "Fine."), ("spk_1", " "), ("spk_1", "Good.")]);
        Assert.Equal("Speaker 1: Hello. How are you?\n\nSpeaker 2: Fine.\n\nSpeaker 1: Good.", text);
        Assert.Equal("", SpeakerTranscript.Format([]));
    }

    [Fact]
    public void A_reviewed_transcript_is_normalized_and_refused_when_empty_or_longer_than_the_model_is_sent()
    {
        Assert.Equal("a\nb\nc", TranscriptEdit.Normalize("  a\r\nb\rc \n"));
        Assert.Equal(TranscriptEdit.Empty, TranscriptEdit.Problem(TranscriptEdit.Normalize(" \r\n\t")));
        Assert.Null(TranscriptEdit.Problem(new string('x', ExtractedTextLimits.MaxAnalysedCharacters)));
        Assert.NotNull(TranscriptEdit.Problem(new string('x', ExtractedTextLimits.MaxAnalysedCharacters + 1)));
    }
}
