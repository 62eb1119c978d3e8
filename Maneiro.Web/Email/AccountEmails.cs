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

    public static EmailMessage PasswordReset(string to, string link) => Build(
        to,
        "Reset your Maneiro password",
        "Hello,",
        "Someone asked to reset the password of your Maneiro account. The link works once and expires in a few hours.",
        "Choose a new password",
        link,
        "If it was not you, ignore this message; your password stays as it is.");

    public static EmailMessage PaymentFailed(string to, string link) => Build(
        to,
        "Your Maneiro payment failed",
        "Hello,",
        "We could not take the payment for your Maneiro subscription. Please update your card to keep your plan.",
        "Update payment details",
        link,
        "If you already updated it, you can ignore this message.");

    private static EmailMessage Build(string to, string subject, string greeting, string body, string action, string link, string footer)
    {
        var html = HtmlEncoder.Default;
        var text = $"{greeting}\n\n{body}\n\n{action}: {link}\n\n{footer}\n";
        var htmlBody = $"<p>{html.Encode(greeting)}</p><p>{html.Encode(body)}</p><p><a href=\"{html.Encode(link)}\">{html.Encode(action)}</a></p><p>{html.Encode(footer)}</p>";
        return new EmailMessage(to, subject, text, htmlBody, link);
    }
}
