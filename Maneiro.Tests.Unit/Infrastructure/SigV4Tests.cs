using Maneiro.Infrastructure.Speech;

namespace Maneiro.Tests.Unit.Infrastructure;

/// <summary>AWS's published Signature Version 4 examples.</summary>
public sealed class SigV4Tests
{
    [Fact]
    public void The_signing_key_matches_the_derivation_example()
    {
        // "Examples of how to derive a signing key for Signature Version 4" (AWS General Reference).
        var key = SigV4.SigningKey("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215", "us-east-1", "iam");
        Assert.Equal("f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d", Convert.ToHexStringLower(key));
    }

    [Fact]
    public void The_s3_get_object_example_signs_to_the_published_signature()
    {
        // "Example: GET Object" in Amazon S3's "Authenticating Requests: Using the Authorization Header".
        const string canonical = "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n"
            + "x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\nx-amz-date:20130524T000000Z\n\n"
            + "host;range;x-amz-content-sha256;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        var at = new DateTime(2013, 5, 24, 0, 0, 0, DateTimeKind.Utc);

        Assert.Equal(
            "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972",
            SigV4.StringToSign(at, SigV4.Scope(at, "us-east-1", "s3"), canonical));
        Assert.Equal(
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
            SigV4.Authorization("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", at, "us-east-1", "s3", "host;range;x-amz-content-sha256;x-amz-date", canonical));
    }
}
