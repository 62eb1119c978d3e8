using Microsoft.Extensions.Options;

namespace Maneiro.Web.Security;

/// <summary>Headers on every response: a CSP without inline script, no framing, no sniffing, a strict referrer.</summary>
public static class SecurityHeaders
{
    /// <summary>
    /// The policy. Forms may post to this site and be redirected to Stripe's hosted pages (form-action also governs
    /// the redirect after a form post, so Checkout and the Portal must be listed).
    /// </summary>
    public static string ContentSecurityPolicy(SecurityOptions options) =>
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src blob:; font-src 'self'; " +
        $"connect-src 'self'; form-action 'self' {string.Join(' ', options.FormRedirectOrigins)}; base-uri 'self'; object-src 'none'; frame-ancestors 'none'";

    /// <summary>
    /// The Orleans dashboard (admins only, a UI we do not write) sets inline styles and loads icon fonts from data:
    /// URLs; its pages get those two allowances. Scripts stay 'self' only.
    /// </summary>
    public static string DashboardPolicy(string policy) => policy
        .Replace("style-src 'self'", "style-src 'self' 'unsafe-inline'", StringComparison.Ordinal)
        .Replace("font-src 'self'", "font-src 'self' data:", StringComparison.Ordinal);

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app)
    {
        var strict = ContentSecurityPolicy(app.ApplicationServices.GetRequiredService<IOptions<SecurityOptions>>().Value);
        var dashboard = DashboardPolicy(strict);
        return app.Use(async (context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                headers.ContentSecurityPolicy = context.Request.Path.StartsWithSegments(Observability.ObservabilityExtensions.DashboardPath) ? dashboard : strict;
                headers.XContentTypeOptions = "nosniff";
                headers.XFrameOptions = "DENY";
                headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
                headers["Permissions-Policy"] = "camera=(), microphone=(self), geolocation=()";
                return Task.CompletedTask;
            });
            await next();
        });
    }
}
