namespace Maneiro.Infrastructure.Audit;

/// <summary>The audit trail's action names.</summary>
public static class AuditActions
{
    public const string Register = "account.register";
    public const string EmailConfirmed = "account.email_confirmed";
    public const string Login = "account.login";
    public const string LoginFailed = "account.login_failed";
    public const string LockedOut = "account.locked_out";
    public const string Logout = "account.logout";
    public const string SignedOutEverywhere = "account.signed_out_everywhere";
    public const string TwoFactorEnabled = "account.2fa_enabled";
    public const string TwoFactorDisabled = "account.2fa_disabled";
    public const string PasswordChanged = "account.password_changed";
    public const string PasswordReset = "account.password_reset";
    public const string PasswordResetRequested = "account.password_reset_requested";
    public const string ProfileUpdated = "account.profile_updated";
    public const string AdminCreated = "admin.created";
    public const string AdminViewedUsers = "admin.viewed_users";
    public const string RateLimited = "security.rate_limited";
    public const string SubscriptionChanged = "billing.subscription_changed";
    public const string PaymentFailed = "billing.payment_failed";
    public const string CheckoutStarted = "billing.checkout_started";
    public const string WebhookRejected = "billing.webhook_rejected";
    public const string Upload = "job.upload";
    public const string JobStarted = "job.started";
    public const string JobCompleted = "job.completed";
    public const string JobFailed = "job.failed";
    public const string JobCanceled = "job.canceled";
    public const string JobDeleted = "job.deleted";
    public const string TranscriptReviewed = "job.transcript_reviewed";
    public const string RecordingDiscarded = "recording.discarded";
    public const string TemplateSaved = "template.saved";
    public const string TemplateDeleted = "template.deleted";
    public const string TemplateProposed = "template.proposed";
    public const string ResultViewed = "job.result_viewed";
    public const string UsageLimitReached = "usage.limit_reached";
    public const string LetterRequested = "letter.requested";
    public const string LetterGenerated = "letter.generated";
    public const string LetterFailed = "letter.failed";
    public const string LetterEdited = "letter.edited";
    public const string LetterRegenerated = "letter.regenerated";
    public const string LetterRestored = "letter.restored";
    public const string LetterDeleted = "letter.deleted";
    public const string LetterExported = "letter.exported";
    public const string LetterheadUpdated = "account.letterhead_updated";
    public const string LetterSigned = "letter.signed";
    public const string FhirExported = "fhir.exported";
    public const string FhirSent = "fhir.sent";
    public const string FhirServerConfigured = "clinic.fhir_server_configured";
    public const string ClinicRenamed = "clinic.renamed";
    public const string ClinicInvited = "clinic.invited";
    public const string ClinicInvitationRevoked = "clinic.invitation_revoked";
    public const string ClinicJoined = "clinic.joined";
    public const string ClinicRolesChanged = "clinic.roles_changed";
    public const string ClinicMemberRemoved = "clinic.member_removed";
    public const string ClinicPolicyChanged = "clinic.policy_changed";
    public const string ClinicAuditExported = "clinic.audit_exported";
    public const string InboxUpload = "inbox.upload";
    public const string InboxTriaged = "inbox.triaged";
    public const string InboxTriageFailed = "inbox.triage_failed";
    public const string InboxItemViewed = "inbox.item_viewed";
    public const string InboxEdited = "inbox.edited";
    public const string InboxTaskTicked = "inbox.task_ticked";
    public const string InboxAssigned = "inbox.assigned";
    public const string InboxDone = "inbox.done";
    public const string InboxSettingsChanged = "inbox.settings_changed";
    public const string RetentionChanged = "retention.policy_changed";
    public const string RetentionSweepStarted = "retention.sweep_started";
    public const string RetentionSwept = "retention.swept";
    public const string ExportStarted = "clinic.export_started";
    public const string ExportDownloaded = "clinic.export_downloaded";
    public const string ClinicDeleted = "clinic.deleted";
    public const string AccountErased = "account.erased";

    /// <summary>Every action name, for the audit page's filter.</summary>
    public static IReadOnlyList<string> All { get; } = typeof(AuditActions).GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
        .Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).Order(StringComparer.Ordinal).ToList();
}

public static class AuditOutcomes
{
    public const string Success = "success";
    public const string Failure = "failure";
    public const string Denied = "denied";
}
