namespace Maneiro.Grains.Domain.Clinics;

/// <summary>What an admin types to confirm deleting a clinic: its name, or a fixed phrase for a clinic without one.</summary>
public static class ClinicDeletion
{
    public const string NamelessPhrase = "delete my clinic";

    public static string Confirmation(string clinicName) => string.IsNullOrWhiteSpace(clinicName) ? NamelessPhrase : clinicName.Trim();
}
