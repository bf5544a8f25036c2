using System.Security.Cryptography.X509Certificates;
using PubSubDemo.Shared.Connection;
using PubSubDemo.Messaging.Connection;
using StackExchange.Redis;

namespace PubSubDemo.TrustTests;

/// <summary>The test's own client of a TLS server, trusting the CA that signed the server's certificate, to arrange and check state.</summary>
internal static class TlsClient
{
    public static Task<ConnectionMultiplexer> ConnectAsync(TlsServerProcess server, string authorityFile, PemPair? client = null)
    {
        var options = new ConfigurationOptions { EndPoints = { { "127.0.0.1", server.Port } }, Ssl = true, AbortOnConnectFail = false };
        var authorities = new X509Certificate2Collection();
        authorities.ImportFromPemFile(authorityFile);
        options.CertificateValidation += new ServerCertificateCheck(authorities).Validate;
        if (client is not null)
        {
            var certificate = X509Certificate2.CreateFromPemFile(client.CertificateFile, client.KeyFile);
            options.CertificateSelection += (_, _, _, _, _) => certificate;
        }

        return ConnectionMultiplexer.ConnectAsync(options);
    }
}
