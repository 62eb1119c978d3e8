using Maneiro.Grains.Interfaces;

namespace Maneiro.Grains.Domain.Clinics;

/// <summary>
/// What a clinic pays for: one seat per clinician, staff free up to a configured number (each one past it takes a
/// seat), admins who are not clinicians free. At least one seat: a clinic of one pays today's price.
/// </summary>
public static class ClinicSeats
{
    public static int Paid(IEnumerable<ClinicMember> members, int freeStaffSeats)
    {
        var list = members.ToList();
        var clinicians = list.Count(m => m.Roles.HasFlag(ClinicRoles.Clinician));
        var staff = list.Count(m => m.Roles == ClinicRoles.Staff);
        return Math.Max(1, clinicians + Math.Max(0, staff - Math.Max(0, freeStaffSeats)));
    }
}
