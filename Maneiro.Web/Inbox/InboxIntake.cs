using Maneiro.Grains.Interfaces;
using Maneiro.Infrastructure.Audit;
using Maneiro.Web.Audit;
using Maneiro.Web.Clinics;
using Maneiro.Web.Jobs;
using Microsoft.Extensions.Options;

namespace Maneiro.Web.Inbox;

/// <summary>
/// One document dropped into the clinic inbox (the page sends a batch one file per request, so each gets its own
/// progress and error): read as a stream, inspected and stored encrypted like any upload, then its intake item grain
/// starts. Audio and pasted text are not inbox documents. Anything refused leaves nothing stored.
/// </summary>
public sealed class InboxIntake(IGrainFactory grains, MultipartUploadReader reader, UploadInspector inspector, IOptions<UploadOptions> options, ClinicMembership memberships, ClinicTwoFactorPolicy twoFactor, AuditTrail audit)
{
    public const string NotADocument = "The inbox takes PDFs, TIFF faxes and photos (PNG, JPEG, WEBP). Upload dictations on the Analyses page.";

    public async Task<SubmitOutcome> SubmitAsync(HttpContext context)
    {
        var actor = await memberships.ForAsync(context);
        if (actor is null || !actor.Can(ClinicAction.WorkInbox))
        {
            return SubmitOutcome.Refused(StatusCodes.Status403Forbidden, ClinicPolicy.Refusal(ClinicAction.WorkInbox));
        }

        if (await twoFactor.MustSetUpAsync(context))
        {
            return SubmitOutcome.Refused(StatusCodes.Status403Forbidden, ClinicTwoFactorPolicy.Required);
        }

        var itemId = Guid.NewGuid().ToString("N");
        StoredInput? input = null;
        var started = false;
        try
        {
            var form = await reader.ReadAsync(context, options.Value, async file => input = await inspector.StoreFileAsync(file, itemId, context.RequestAborted));
            if (input is null)
            {
                throw new UploadRefusedException(StatusCodes.Status400BadRequest, "Choose a file to add to the inbox.");
            }

            if (input.Type.Kind is not (InputKind.Pdf or InputKind.Image))
            {
                throw new UploadRefusedException(StatusCodes.Status415UnsupportedMediaType, NotADocument);
            }

            var name = form.FileName.Length > 0 ? form.FileName : input.Type.Label;
            await grains.GetGrain<IIntakeItemGrain>(itemId).Start(new IntakeUpload(actor.ClinicId, actor.UserId, input.Key, input.Type.Kind, input.Type.MediaType, input.Size, name));
            started = true;
            await audit.RecordAsync(AuditActions.InboxUpload, AuditOutcomes.Success, actor.UserId, itemId, new { kind = input.Type.Kind.ToString(), bytes = input.Size });
            return new SubmitOutcome(StatusCodes.Status202Accepted, itemId, null);
        }
        catch (UploadRefusedException ex)
        {
            return await RefuseAsync(ex.Status, ex.Message);
        }
        catch (UploadTooLargeException)
        {
            return await RefuseAsync(StatusCodes.Status413PayloadTooLarge, UploadInspector.TooLarge(options.Value.MaxDocumentBytes, "documents"));
        }
        catch (Exception ex) when (ex is BadHttpRequestException or IOException or InvalidDataException)
        {
            return await RefuseAsync(StatusCodes.Status400BadRequest, "The upload was cut off or malformed. Please try again.");
        }
        catch (Exception) when (!started)
        {
            await inspector.DeleteAsync(input);
            throw;
        }

        async Task<SubmitOutcome> RefuseAsync(int status, string error)
        {
            if (input is not null)
            {
                await inspector.DeleteAsync(input);
                await audit.RecordAsync(AuditActions.InboxUpload, AuditOutcomes.Failure, actor.UserId, details: new { status });
            }

            return SubmitOutcome.Refused(status, error);
        }
    }
}
