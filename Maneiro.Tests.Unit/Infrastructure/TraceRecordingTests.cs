using System.Diagnostics;
using Maneiro.Infrastructure.Observability;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace Maneiro.Tests.Unit.Infrastructure;

/// <summary>
/// What a process's telemetry does with activities, with and without somewhere to send spans. One class, so its tests
/// never run side by side (activity listeners are process-wide); nothing else in this assembly listens to these sources.
/// </summary>
public sealed class TraceRecordingTests
{
    private const string GrainCalls = Orleans.Diagnostics.ActivitySources.ApplicationGrainActivitySourceName;

    [Fact]
    public async Task Without_an_exporter_no_span_is_recorded_yet_a_grain_call_carries_the_request_s_trace()
    {
        using var host = await StartedHostAsync([]);
        using var grainCalls = new ActivitySource(GrainCalls);
        using var npgsql = new ActivitySource("Npgsql");

        // A request's activity, as ASP.NET Core makes one for its logs.
        using var request = new Activity("request").SetIdFormat(ActivityIdFormat.W3C).Start();
        using (var call = grainCalls.StartActivity("IUserGrain/StartAnalysis", ActivityKind.Client))
        {
            Assert.NotNull(call);
            Assert.Equal(request.TraceId, call.TraceId);
            Assert.False(call.IsAllDataRequested);
            Assert.False(call.Recorded);
        }

        // A database command makes no activity at all.
        Assert.Null(npgsql.StartActivity("SELECT", ActivityKind.Client));
        await host.StopAsync();
    }

    [Theory]
    [InlineData(TelemetryExtensions.RecordSpansKey, "true")]
    [InlineData("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4317")]
    public async Task With_an_exporter_or_when_asked_every_span_is_recorded(string key, string value)
    {
        using var host = await StartedHostAsync(new() { [key] = value });
        using var grainCalls = new ActivitySource(GrainCalls);
        using var npgsql = new ActivitySource("Npgsql");

        using var call = grainCalls.StartActivity("IUserGrain/StartAnalysis", ActivityKind.Client);
        Assert.True(call?.Recorded);
        using var command = npgsql.StartActivity("SELECT", ActivityKind.Client);
        Assert.True(command?.Recorded);
        await host.StopAsync();
    }

    private static async Task<IHost> StartedHostAsync(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddManeiroTelemetry(builder.Configuration, "maneiro-test");
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }
}
