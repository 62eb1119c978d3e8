using System.Text.Encodings.Web;

namespace Maneiro.Web.Email;

/// <summary>The account e-mails' wording, in one place.</summary>
public static class AccountEmails
{
    public static EmailMessage Confirmation(string to, string firstName, string link) => Build(
        to,
        "Confirm your Maneiro account",
        $"Hello {firstName},",
        "Please confirm your e-mail address to finish creating your Maneiro account.",
        "Confirm my e-mail",
        link,
        "If you did not sign up, ignore this message.");

    /// <summary>How long a reset link works; the reset token provider is configured with the same value.</summary>
    public static readonly TimeSpan PasswordResetLifetime = TimeSpan.FromHours(2);

    /// <summary>How long a confirmation link works (Identity's default token lifetime).</summary>
    public static readonly TimeSpan ConfirmationLifetime = TimeSpan.FromDays(1);

    public static EmailMessage PasswordReset(string to, string link) => Build(
        to,
        "Reset your Maneiro password",
        "Hello,",
        $"Someone asked to reset the password of your Maneiro account. The link works once and expires in {PasswordResetLifetime.TotalHours:0} hours.",
        "Choose a new password",
        link,
        "If it was not you, ignore this message; your password stays as it is.");

    public static EmailMessage AccountExists(string to, string link) => Build(
        to,
        "Your Maneiro account",
        "Hello,",
        "Someone tried to create a Maneiro account with this e-mail address, which already has one. If it was you, sign in, or reset your password if you forgot it.",
        "Reset my password",
        link,
        "If it was not you, ignore this message; nothing was changed.");

    public static EmailMessage PaymentFailed(string to, string link) => Build(
        to,
        "Your Maneiro payment failed",
        "Hello,",
        "We could not take the payment for your Maneiro subscription. Please update your card to keep your plan.",
        "Update payment details",
        link,
        "If you already updated it, you can ignore this message.");

    public static EmailMessage ClinicInvitation(string to, string clinicName, string inviter, string role, string link, TimeSpan lifetime) => Build(
        to,
        $"You are invited to join {(clinicName.Length > 0 ? clinicName : "a clinic")} on Maneiro",
        "Hello,",
        $"{inviter} invited you to join {(clinicName.Length > 0 ? clinicName : "their clinic")} on Maneiro as {role.ToLowerInvariant()}. Accept with a new or an existing Maneiro account that uses this e-mail address. The link works once and expires in {lifetime.TotalDays:0} days.",
        "Accept the invitation",
        link,
        "If you did not expect this, ignore this message.");

    private static EmailMessage Build(string to, string subject, string greeting, string body, string action, string link, string footer)
    {
        var html = HtmlEncoder.Default;
        var text = $"{greeting}\n\n{body}\n\n{action}: {link}\n\n{footer}\n";
        var htmlBody = $"<p>{html.Encode(greeting)}</p><p>{html.Encode(body)}</p><p><a href=\"{html.Encode(link)}\">{html.Encode(action)}</a></p><p>{html.Encode(footer)}</p>";
        return new EmailMessage(to, subject, text, htmlBody, link);
    }
}
