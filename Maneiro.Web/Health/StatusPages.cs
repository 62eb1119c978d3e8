using System.Globalization;
using System.Text.Encodings.Web;

namespace Maneiro.Web.Health;

/// <summary>
/// The answers written outside Razor Pages (rate limits, brief outages): a small readable page for browsers, JSON
/// for scripts, both with Retry-After.
/// </summary>
public static class StatusPages
{
    /// <summary>Whether the request comes from a browser that wants a page rather than JSON.</summary>
    public static bool WantsHtml(HttpRequest request) => request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase);

    public static async Task WriteAsync(HttpContext context, StatusPage page, CancellationToken cancellationToken)
    {
        var response = context.Response;
        response.StatusCode = page.Status;
        response.Headers.RetryAfter = page.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        if (!WantsHtml(context.Request))
        {
            await response.WriteAsJsonAsync(new { error = page.ErrorCode, message = page.Message, retryAfterSeconds = page.RetryAfterSeconds }, cancellationToken);
            return;
        }

        var html = HtmlEncoder.Default;
        response.ContentType = "text/html; charset=utf-8";
        await response.WriteAsync(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            + $"<title>{html.Encode(page.Title)} · Maneiro</title><link rel=\"stylesheet\" href=\"/css/site.css\"></head><body><main id=\"main\" class=\"container\">"
            + $"<h1>{html.Encode(page.Heading)}</h1><p role=\"alert\">{html.Encode(page.Message)}</p><p><a href=\"{html.Encode(page.LinkHref)}\">{html.Encode(page.LinkText)}</a></p>"
            + "</main></body></html>",
            cancellationToken);
    }
}

/// <summary>One status answer: the code, what the page and the JSON say, and where the page's one link goes.</summary>
public sealed record StatusPage(int Status, int RetryAfterSeconds, string ErrorCode, string Title, string Heading, string Message, string LinkHref, string LinkText);
