using Maneiro.Grains.Domain.Clinics;
using Maneiro.Grains.Interfaces;

namespace Maneiro.Tests.Unit.Clinics;

public sealed class ClinicSeatsTests
{
    private static ClinicMember M(ClinicRoles roles) => new(Guid.NewGuid().ToString("N"), "x@clinic.org", roles, DateTimeOffset.UnixEpoch);

    [Theory]
    [InlineData(1, 0, 0, 2, 1)] // a clinic of one: today's price
    [InlineData(2, 2, 0, 2, 2)] // staff up to the free number cost nothing
    [InlineData(2, 3, 0, 2, 3)] // each one past it takes a seat
    [InlineData(0, 1, 1, 2, 1)] // admins who are not clinicians are free, and there is always one seat
    [InlineData(3, 4, 0, 0, 7)]
    public void Clinicians_and_staff_past_the_free_number_are_paid_seats(int clinicians, int staff, int admins, int freeStaff, int seats)
    {
        var members = Enumerable.Repeat(ClinicRoles.Clinician, clinicians).Concat(Enumerable.Repeat(ClinicRoles.Staff, staff)).Concat(Enumerable.Repeat(ClinicRoles.Admin, admins)).Select(M);
        Assert.Equal(seats, ClinicSeats.Paid(members, freeStaff));
    }

    [Fact]
    public void An_admin_who_is_also_a_clinician_takes_a_seat()
    {
        Assert.Equal(2, ClinicSeats.Paid([M(ClinicRoles.Admin | ClinicRoles.Clinician), M(ClinicRoles.Clinician)], 2));
    }
}
