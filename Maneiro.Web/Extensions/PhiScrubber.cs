namespace Maneiro.Web.Extensions;

/// <summary>Removes what could identify a patient or a user from an error event before it leaves the process.</summary>
public static class PhiScrubber
{
    public static SentryEvent? Scrub(SentryEvent sentryEvent, SentryHint hint)
    {
        ArgumentNullException.ThrowIfNull(sentryEvent);
        sentryEvent.User = new SentryUser { Id = sentryEvent.User.Id };
        sentryEvent.Request.Data = null;
        sentryEvent.Request.Cookies = null;
        sentryEvent.Request.QueryString = null;
        return sentryEvent;
    }

    /// <summary>What every event goes through: the trace id of the failing request or job as a tag, then the scrub.</summary>
    public static SentryEvent? Prepare(SentryEvent sentryEvent, SentryHint hint)
    {
        ArgumentNullException.ThrowIfNull(sentryEvent);
        if (System.Diagnostics.Activity.Current is { } activity)
        {
            sentryEvent.SetTag("trace_id", activity.TraceId.ToString());
        }

        return Scrub(sentryEvent, hint);
    }
}
