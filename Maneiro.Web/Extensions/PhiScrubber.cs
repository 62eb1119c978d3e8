using Sentry;

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
}
