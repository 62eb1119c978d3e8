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
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
        $"connect-src 'self'; form-action 'self' {string.Join(' ', options.FormRedirectOrigins)}; base-uri 'self'; object-src 'none'; frame-ancestors 'none'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app)
    {
        var policy = ContentSecurityPolicy(app.ApplicationServices.GetRequiredService<IOptions<SecurityOptions>>().Value);
        return app.Use(async (context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                headers.ContentSecurityPolicy = policy;
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
