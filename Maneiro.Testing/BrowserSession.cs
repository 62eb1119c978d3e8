using System.Net;
using System.Text.RegularExpressions;

namespace Maneiro.Testing;

/// <summary>
/// A cookie-keeping HTTP session against the real web app that fills forms the way a browser does:
/// it reads the page, takes its antiforgery token, and posts the form fields.
/// </summary>
public sealed partial class BrowserSession(HttpClient client, CookieContainer cookies) : IDisposable
{
    public HttpClient Client { get; } = client;

    public CookieContainer Cookies { get; } = cookies;

    public async Task<(HttpStatusCode Status, string Html, Uri? Location)> GetAsync(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.ParseAdd("text/html");
        using var response = await Client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response.Headers.Location);
    }

    /// <summary>
    /// GETs <paramref name="path"/>, then posts a form on it (optionally with a page handler, or to another
    /// <paramref name="action"/> as a form's action attribute would) with the page's antiforgery token.
    /// </summary>
    public async Task<HttpResponseMessage> SubmitAsync(string path, IDictionary<string, string> fields, string? handler = null, string? action = null)
    {
        var (_, html, _) = await GetAsync(path);
        var token = AntiforgeryToken(html) ?? throw new InvalidOperationException($"No antiforgery token on {path}:\n{html}");
        var form = new Dictionary<string, string>(fields) { ["__RequestVerificationToken"] = token };
        var target = action ?? (handler is null ? path : $"{path.Split('?')[0]}?handler={handler}");
        return await PostAsync(target, form);
    }

    public async Task<HttpResponseMessage> PostAsync(string path, IDictionary<string, string> form)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Accept.ParseAdd("text/html");
        return await Client.SendAsync(request);
    }

    /// <summary>Follows one redirect, as a browser would after a form post.</summary>
    public async Task<(HttpStatusCode Status, string Html, Uri? Location)> FollowAsync(HttpResponseMessage response)
    {
        Assert.True(response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Found or HttpStatusCode.SeeOther,
            $"Expected a redirect, got {(int)response.StatusCode}:\n{await response.Content.ReadAsStringAsync()}");
        return await GetAsync(response.Headers.Location!.OriginalString);
    }

    public static string? AntiforgeryToken(string html) =>
        TokenPattern().Match(html) is { Success: true } m ? WebUtility.HtmlDecode(m.Groups[1].Value) : null;

    public void Dispose() => Client.Dispose();

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();
}
