using Maneiro.Web.Extensions;

namespace Maneiro.Tests.Unit.Web;

public sealed class PhiScrubberTests
{
    [Fact]
    public void Error_events_keep_the_user_id_but_lose_email_request_body_cookies_and_query()
    {
        var sentryEvent = new SentryEvent
        {
            User = new SentryUser { Id = "user-1", Email = "patient.doctor@clinic.example", Username = "dr", IpAddress = "10.1.2.3" },
        };
        sentryEvent.Request.Data = "{\"note\":\"Jane Doe, 54, glaucoma\"}";
        sentryEvent.Request.Cookies = "maneiro.session=abc";
        sentryEvent.Request.QueryString = "email=someone@example.org";

        var scrubbed = PhiScrubber.Scrub(sentryEvent, new SentryHint())!;
        Assert.Equal("user-1", scrubbed.User.Id);
        Assert.Null(scrubbed.User.Email);
        Assert.Null(scrubbed.User.IpAddress);
        Assert.Null(scrubbed.Request.Data);
        Assert.Null(scrubbed.Request.Cookies);
        Assert.Null(scrubbed.Request.QueryString);
    }

    [Fact]
    public void Error_events_carry_the_current_trace_id_and_are_scrubbed()
    {
        using var activity = new System.Diagnostics.Activity("failing request").Start();
        var sentryEvent = new SentryEvent { User = new SentryUser { Id = "user-1", Email = "someone@example.org" } };

        var prepared = PhiScrubber.Prepare(sentryEvent, new SentryHint())!;

        Assert.Equal(activity.TraceId.ToString(), prepared.Tags["trace_id"]);
        Assert.Null(prepared.User.Email);
    }
}
