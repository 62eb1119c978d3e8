using System.Text.Json.Nodes;
using Maneiro.Grains.Interfaces;

namespace Maneiro.Testing;

/// <summary>Letter drafts in the letter schema's shape, and an analysis context like a completed job's.</summary>
public static class LetterSamples
{
    public static string Draft(
        string subject = "Referral for glaucoma management",
        string salutation = "Dear Dr. Silva,",
        string closing = "Kind regards,",
        params (string Heading, string[] Paragraphs)[] sections)
    {
        if (sections.Length == 0)
        {
            sections =
            [
                ("Reason for referral", ["Mr. Carter has moderate primary open-angle glaucoma of the right eye (H40.1112) with pressure above target [1]."]),
                ("Findings", ["Intraocular pressure was 24 mmHg on latanoprost, with a progressing superior arcuate defect [2, 3]."]),
                ("Request", ["I would be grateful if you could assess him for laser trabeculoplasty."]),
            ];
        }

        return new JsonObject
        {
            ["subject"] = subject,
            ["salutation"] = salutation,
            ["sections"] = new JsonArray(sections.Select(s => (JsonNode)new JsonObject
            {
                ["heading"] = s.Heading,
                ["paragraphs"] = new JsonArray(s.Paragraphs.Select(p => (JsonNode?)p).ToArray()),
            }).ToArray()),
            ["closing"] = closing,
        }.ToJsonString();
    }

    public static LetterContext Context(int references = 2) => new(
        "John Carter",
        "ophthalmology",
        "Moderate primary open-angle glaucoma of the right eye.",
        "The pressure in your right eye is too high.",
        ["Primary open-angle glaucoma, right eye, moderate stage (right)"],
        ["Lower intraocular pressure: add timolol"],
        [new CodeEntry("H40.1112", "POAG right eye moderate", true, CodeCheck.Valid, "Primary open-angle glaucoma, right eye, moderate stage", true)],
        Enumerable.Range(1, references).Select(n => new Reference(n, $"3100000{n}", $"Glaucoma study number {n}", "Ophthalmology", 2021, "guideline", n == 1)).ToList());
}
