using PubSubDemo.Messaging.Connection;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using PubSubDemo.Shared.Configuration;
using PubSubDemo.Messaging.Configuration;
using StackExchange.Redis;

namespace PubSubDemo.Shared.Connection;

/// <summary>
/// REDIS_TLS_CA, REDIS_TLS_CERT and REDIS_TLS_KEY: which server certificates to trust and which client certificate
/// to present. Any of them turns TLS on, as <c>rediss://</c> or <c>ssl=true</c> in REDIS_ADDR does. The files are
/// read once at start, so a missing or unreadable one stops the service with one line (exit 2), not at every retry.
/// </summary>
/// <remarks>
/// StackExchange.Redis offers <c>TrustIssuer</c> and <c>SetUserPemCertificate</c>; they answer only yes or no, and
/// the log must say why a certificate was refused, so our own <see cref="ServerCertificateCheck"/> is the
/// <c>CertificateValidation</c> callback and the client certificate is loaded here for <c>CertificateSelection</c>.
/// </remarks>
internal static class TlsSettings
{
    /// <summary>Adds the certificate callbacks to <paramref name="options"/>; null when TLS is off.</summary>
    public static ServerCertificateCheck? Apply(SettingsReader reader, ConfigurationOptions options)
    {
        var caPath = reader.Raw(EnvironmentNames.RedisTlsCa);
        var certPath = reader.Raw(EnvironmentNames.RedisTlsCert);
        var keyPath = reader.Raw(EnvironmentNames.RedisTlsKey);
        if (!options.Ssl && caPath is null && certPath is null && keyPath is null)
        {
            return null;
        }

        X509Certificate2Collection? authorities = null;
        if (caPath is not null && !TryRead(reader, EnvironmentNames.RedisTlsCa, caPath, path => LoadAuthorities(path), out authorities))
        {
            return null;
        }

        X509Certificate2? client = null;
        if (keyPath is not null && certPath is null)
        {
            reader.Error(EnvironmentNames.RedisTlsKey, keyPath, $"it needs {EnvironmentNames.RedisTlsCert}, the certificate that goes with the key");
            return null;
        }

        if (certPath is not null)
        {
            // The key may be in the certificate's own file; then REDIS_TLS_KEY can stay unset.
            if (keyPath is not null && !File.Exists(keyPath))
            {
                reader.Error(EnvironmentNames.RedisTlsKey, keyPath, "no such file; use a PEM private key");
                return null;
            }

            if (!TryRead(reader, EnvironmentNames.RedisTlsCert, certPath, path => X509Certificate2.CreateFromPemFile(path, keyPath), out client))
            {
                return null;
            }
        }

        options.Ssl = true;
        var check = new ServerCertificateCheck(authorities, authoritiesName: EnvironmentNames.RedisTlsCa);
        options.CertificateValidation += check.Validate;
        options.ConnectionAttemptCompleted += check.OnAttempt;
        if (client is not null)
        {
            options.CertificateSelection += (_, _, _, _, _) => client;
        }

        return check;
    }

    private static X509Certificate2Collection LoadAuthorities(string path)
    {
        var authorities = new X509Certificate2Collection();
        authorities.ImportFromPemFile(path);
        return authorities.Count > 0 ? authorities : throw new CryptographicException("it holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
    }

    private static bool TryRead<T>(SettingsReader reader, string name, string path, Func<string, T> load, out T? value)
        where T : class
    {
        value = null;
        if (!File.Exists(path))
        {
            reader.Error(name, path, "no such file; use a PEM file");
            return false;
        }

        try
        {
            value = load(path);
            return true;
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            reader.Error(name, path, $"cannot read it as PEM: {ex.Message.TrimEnd('.')}");
            return false;
        }
    }
}
