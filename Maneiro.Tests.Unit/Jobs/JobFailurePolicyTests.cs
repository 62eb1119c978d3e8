using Maneiro.Grains.Domain.Jobs;
using Maneiro.Grains.Interfaces;

namespace Maneiro.Tests.Unit.Jobs;

public sealed class JobFailurePolicyTests
{
    [Fact]
    public void Service_hiccups_are_retried_until_the_last_attempt()
    {
        Assert.Equal(FailureAction.Retry, JobFailurePolicy.Classify(new HttpRequestException("reset"), 1));
        Assert.Equal(FailureAction.Retry, JobFailurePolicy.Classify(new TimeoutException(), JobFailurePolicy.MaxAttempts - 1));
        Assert.Equal(FailureAction.GiveUp, JobFailurePolicy.Classify(new IOException(), JobFailurePolicy.MaxAttempts));
        Assert.True(JobFailurePolicy.RetryDelay(2) > JobFailurePolicy.RetryDelay(1));
    }

    [Fact]
    public void A_failure_written_for_the_user_is_final()
    {
        Assert.Equal(FailureAction.FailWithMessage, JobFailurePolicy.Classify(new JobFailedException("This PDF is password-protected."), 0));
    }

    [Fact]
    public void A_tool_that_ran_out_its_time_is_final_for_the_document_not_a_hiccup()
    {
        var timedOut = new Maneiro.Grains.Services.ToolTimedOutException("tesseract", TimeSpan.FromSeconds(90));
        Assert.False(JobFailurePolicy.IsTransient(timedOut));
        Assert.Equal(FailureAction.ToolTimedOut, JobFailurePolicy.Classify(timedOut, 0));
    }

    [Fact]
    public void A_database_outage_is_waited_out_and_a_conflict_reloads()
    {
        Assert.Equal(FailureAction.WaitForStorage, JobFailurePolicy.Classify(new StorageUnavailableException("down"), 0));
        Assert.Equal(FailureAction.WaitForStorage, JobFailurePolicy.Classify(new InvalidOperationException("wrapped", new Npgsql.NpgsqlException("down")), 0));
        Assert.Equal(FailureAction.Reload, JobFailurePolicy.Classify(new Orleans.Storage.InconsistentStateException("etag"), 0));
    }

    [Fact]
    public void Anything_else_is_a_bug_and_fails_with_the_generic_message()
    {
        Assert.Equal(FailureAction.FailUnexpected, JobFailurePolicy.Classify(new ArgumentException("bug"), 0));
    }

    [Fact]
    public void A_failure_is_described_for_the_log_by_type_status_and_cause_never_by_its_message()
    {
        Assert.Equal("HttpRequestException (HTTP 502)", JobFailurePolicy.Describe(new HttpRequestException("John Carter", null, System.Net.HttpStatusCode.BadGateway)));
        Assert.Equal("HttpRequestException (ConnectionError) caused by SocketException", JobFailurePolicy.Describe(new HttpRequestException(HttpRequestError.ConnectionError, "John Carter", new System.Net.Sockets.SocketException())));
        Assert.Equal("IOException", JobFailurePolicy.Describe(new IOException("John Carter")));
    }
}
