using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Maneiro.Testing;

/// <summary>The clinic inbox as members use it over HTTP, and the model's triage answers in the strict schema's shape.</summary>
public static class InboxFlows
{
    /// <summary>A value with its quote, as the model writes it.</summary>
    public static JsonObject Quoted(string value = "", string quote = "") => new() { ["value"] = value, ["quote"] = quote };

    public static string TriageAnswer(
        string kind = "referral",
        string urgency = "routine",
        string reason = "Routine follow-up requested.",
        JsonObject? provider = null,
        JsonObject? clinic = null,
        JsonObject? fax = null,
        JsonObject? patient = null,
        JsonObject? dateOfBirth = null,
        IEnumerable<(string Fact, string Quote)>? facts = null,
        string suggestedClinician = "",
        IEnumerable<string>? frontDesk = null,
        IEnumerable<string>? clinician = null) =>
        new JsonObject
        {
            ["kind"] = kind,
            ["urgency"] = urgency,
            ["urgency_reason"] = reason,
            ["sender_provider"] = provider ?? Quoted(),
            ["sender_clinic"] = clinic ?? Quoted(),
            ["sender_fax"] = fax ?? Quoted(),
            ["patient_name"] = patient ?? Quoted(),
            ["patient_date_of_birth"] = dateOfBirth ?? Quoted(),
            ["facts"] = new JsonArray((facts ?? []).Select(f => (JsonNode)new JsonObject { ["fact"] = f.Fact, ["quote"] = f.Quote }).ToArray()),
            ["suggested_clinician"] = suggestedClinician,
            ["front_desk_actions"] = new JsonArray((frontDesk ?? ["Call the patient to book"]).Select(a => (JsonNode)JsonValue.Create(a)!).ToArray()),
            ["clinician_actions"] = new JsonArray((clinician ?? ["Review the referral"]).Select(a => (JsonNode)JsonValue.Create(a)!).ToArray()),
        }.ToJsonString();

    /// <summary>Drops one document into the signed-in member's clinic inbox, as the page's script does.</summary>
    public static async Task<HttpResponseMessage> UploadAsync(BrowserSession session, byte[] file, string fileName)
    {
        var (_, html, _) = await session.GetAsync("/Inbox");
        var token = BrowserSession.AntiforgeryToken(html)!;
        using var form = new MultipartFormDataContent();
        var content = new ByteArrayContent(file);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(content, "file", fileName);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/inbox") { Content = form };
        request.Headers.Add("RequestVerificationToken", token);
        request.Headers.Accept.ParseAdd("application/json");
        return await session.Client.SendAsync(request);
    }

    public static async Task<string> ItemIdOf(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"Inbox upload refused ({(int)response.StatusCode}): {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("itemId").GetString()!;
    }

    public static async Task<string> AddAsync(BrowserSession session, byte[] file, string fileName) => await ItemIdOf(await UploadAsync(session, file, fileName));

    /// <summary>Polls the item until it has been read and triaged (or could not be).</summary>
    public static Task<JsonElement> WaitForTriageAsync(BrowserSession session, string itemId) =>
        Eventually.ReturnsAsync(
            async () =>
            {
                using var response = await session.Client.GetAsync(new Uri($"/api/inbox/{itemId}", UriKind.Relative));
                response.EnsureSuccessStatusCode();
                return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            },
            root => root.GetProperty("finished").GetBoolean(),
            $"inbox item {itemId} triaged",
            TimeSpan.FromSeconds(90));
}
