using Maneiro.Grains.Domain.Jobs;
using Maneiro.Grains.Interfaces;

namespace Maneiro.Tests.Unit.Jobs;

public sealed class AnalysisStagesTests
{
    [Theory]
    [InlineData(InputKind.Text, JobStage.Extracting)]
    [InlineData(InputKind.Pdf, JobStage.Extracting)]
    [InlineData(InputKind.Image, JobStage.Ocr)]
    [InlineData(InputKind.Audio, JobStage.Transcribing)]
    public void Each_input_starts_where_its_text_can_be_read(InputKind kind, JobStage first) =>
        Assert.Equal(first, AnalysisStages.First(kind));

    [Fact]
    public void A_pdf_without_a_usable_text_layer_goes_to_ocr_and_one_with_it_goes_to_the_model()
    {
        Assert.Equal(JobStage.Ocr, AnalysisStages.Next(JobStage.Extracting, InputKind.Pdf, TextSource.None));
        Assert.Equal(JobStage.Analyzing, AnalysisStages.Next(JobStage.Extracting, InputKind.Pdf, TextSource.TextLayer));
        Assert.Equal(JobStage.Analyzing, AnalysisStages.Next(JobStage.Extracting, InputKind.Text, TextSource.Pasted));
    }

    [Fact]
    public void A_transcript_its_author_reviews_waits_after_transcription_and_goes_to_the_model_after_review()
    {
        Assert.Equal(JobStage.Reviewing, AnalysisStages.Next(JobStage.Transcribing, InputKind.Audio, TextSource.Transcript, reviewTranscript: true));
        Assert.Equal(JobStage.Analyzing, AnalysisStages.Next(JobStage.Reviewing, InputKind.Audio, TextSource.Transcript, reviewTranscript: true));
        Assert.True(JobStages.IsWaiting(JobStage.Reviewing));
        Assert.False(JobStages.IsTerminal(JobStage.Reviewing));
        Assert.False(JobStages.IsWaiting(JobStage.Transcribing));
    }

    [Fact]
    public void After_the_model_come_references_then_validation_then_completion()
    {
        Assert.Equal(JobStage.Analyzing, AnalysisStages.Next(JobStage.Ocr, InputKind.Image, TextSource.Ocr));
        Assert.Equal(JobStage.Analyzing, AnalysisStages.Next(JobStage.Transcribing, InputKind.Audio, TextSource.Transcript));
        Assert.Equal(JobStage.Referencing, AnalysisStages.Next(JobStage.Analyzing, InputKind.Text, TextSource.Pasted));
        Assert.Equal(JobStage.Validating, AnalysisStages.Next(JobStage.Referencing, InputKind.Text, TextSource.Pasted));
        Assert.Equal(JobStage.Complete, AnalysisStages.Next(JobStage.Validating, InputKind.Text, TextSource.Pasted));
    }

    [Fact]
    public void Letter_stages_are_not_analysis_stages() =>
        Assert.Throws<InvalidOperationException>(() => AnalysisStages.Next(JobStage.Drafting, InputKind.Text, TextSource.Pasted));

    [Fact]
    public void Percent_only_grows_along_the_way()
    {
        JobStage[] path = [JobStage.Received, JobStage.Extracting, JobStage.Ocr, JobStage.Analyzing, JobStage.Referencing, JobStage.Validating, JobStage.Complete];
        var percents = path.Select(AnalysisStages.PercentAt).ToList();
        Assert.Equal(percents.Order(), percents);
        Assert.Equal(100, percents[^1]);
    }
}
