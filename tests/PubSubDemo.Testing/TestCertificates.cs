using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace PubSubDemo.Testing;

/// <summary>
/// A certificate authority made in code, and PEM files it signs: server certificates (for 127.0.0.1 and localhost
/// unless told otherwise, valid or expired) and client certificates. Everything lives in one temporary folder.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    private readonly X509Certificate2 _authority;
    private int _serial;

    public TestCertificates(string name = "PubSubDemo Test CA")
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("pubsubdemo-tls-").FullName;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        _authority = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-90), DateTimeOffset.UtcNow.AddYears(1));
        AuthorityFile = Path.Combine(Directory, "ca.pem");
        File.WriteAllText(AuthorityFile, _authority.ExportCertificatePem());
    }

    public string Directory { get; }

    /// <summary>The CA's certificate as PEM: what REDIS_TLS_CA and redis-server's --tls-ca-cert-file take.</summary>
    public string AuthorityFile { get; }

    /// <summary>A server certificate; <paramref name="names"/> are its DNS or IP subject alternative names.</summary>
    public PemPair Server(string[]? names = null, bool expired = false) =>
        Issue("server", names ?? ["127.0.0.1", "localhost"], expired, new Oid("1.3.6.1.5.5.7.3.1", "Server Authentication"));

    /// <summary>A client certificate for servers started with --tls-auth-clients yes.</summary>
    public PemPair Client() =>
        Issue("client", [], expired: false, new Oid("1.3.6.1.5.5.7.3.2", "Client Authentication"));

    private PemPair Issue(string role, string[] names, bool expired, Oid usage)
    {
        var serial = Interlocked.Increment(ref _serial);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN=pubsubdemo-{role}-{serial}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([usage], false));
        if (names.Length > 0)
        {
            var san = new SubjectAlternativeNameBuilder();
            foreach (var name in names)
            {
                if (IPAddress.TryParse(name, out var ip))
                {
                    san.AddIpAddress(ip);
                }
                else
                {
                    san.AddDnsName(name);
                }
            }

            request.CertificateExtensions.Add(san.Build());
        }

        var (from, until) = expired
            ? (DateTimeOffset.UtcNow.AddDays(-30), DateTimeOffset.UtcNow.AddDays(-1))
            : (DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        using var certificate = request.Create(_authority, from, until, BitConverter.GetBytes(serial));
        var pair = new PemPair(Path.Combine(Directory, $"{role}-{serial}.pem"), Path.Combine(Directory, $"{role}-{serial}.key"));
        File.WriteAllText(pair.CertificateFile, certificate.ExportCertificatePem());
        File.WriteAllText(pair.KeyFile, key.ExportPkcs8PrivateKeyPem());
        return pair;
    }

    public void Dispose()
    {
        _authority.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>A certificate and its private key, as two PEM files.</summary>
public sealed record PemPair(string CertificateFile, string KeyFile);
