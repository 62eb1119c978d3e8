using System.Text.Json;
using ICSharpCode.SharpZipLib.Zip;
using Maneiro.Infrastructure.Audit;
using Maneiro.Infrastructure.Storage;

namespace Maneiro.Infrastructure.Exports;

/// <summary>
/// Clinic exports as AES-256 encrypted zips (SharpZipLib: System.IO.Compression cannot encrypt). The archive is built
/// in a scratch file of this process (only encrypted entry data and id-named paths ever touch the disk), one entry at a
/// time, then streamed into the blob store: never held whole in memory. Compression and encryption run on the thread
/// pool, off the Orleans scheduler.
/// </summary>
public sealed class ZipExportArchives(IBlobStore blobs, AuditLog audit) : IExportArchives
{
    public IExportArchive Open(string blobKey, string password) => new ZipExportArchive(blobs, audit, blobKey, password);

    private sealed class ZipExportArchive : IExportArchive
    {
        private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

        private readonly IBlobStore _blobs;
        private readonly AuditLog _audit;
        private readonly string _blobKey;
        private readonly DirectoryInfo _dir;
        private readonly FileStream _file;
        private readonly ZipOutputStream _zip;

        public ZipExportArchive(IBlobStore blobs, AuditLog audit, string blobKey, string password)
        {
            (_blobs, _audit, _blobKey) = (blobs, audit, blobKey);
            _dir = ScratchSpace.NewFolder("export");
            _file = new FileStream(Path.Combine(_dir.FullName, "export.zip"), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 81920);
            _zip = new ZipOutputStream(_file) { Password = password, IsStreamOwner = false };
            _zip.SetLevel(6);
        }

        public Task AddJsonAsync(string path, object value, CancellationToken cancellationToken) => Task.Run(
            () =>
            {
                _zip.PutNextEntry(Entry(path));
                JsonSerializer.Serialize(_zip, value, value.GetType(), Json);
                _zip.CloseEntry();
            },
            cancellationToken);

        public async Task<bool> AddBlobAsync(string path, string blobKey, CancellationToken cancellationToken)
        {
            Stream source;
            try
            {
                source = await _blobs.OpenReadAsync(blobKey, cancellationToken);
            }
            catch (FileNotFoundException)
            {
                return false;
            }

            await using (source)
            {
                await Task.Run(
                    async () =>
                    {
                        _zip.PutNextEntry(Entry(path));
                        await source.CopyToAsync(_zip, cancellationToken);
                        _zip.CloseEntry();
                    },
                    cancellationToken);
            }

            return true;
        }

        public async Task<int> AddAuditAsync(string path, string clinicId, CancellationToken cancellationToken)
        {
            var rows = await _audit.QueryAsync(new AuditQuery(clinicId, null, null, null, null, 100_000), cancellationToken);
            await AddJsonAsync(path, rows, cancellationToken);
            return rows.Count;
        }

        public async Task<long> CompleteAsync(CancellationToken cancellationToken)
        {
            await Task.Run(_zip.Finish, cancellationToken);
            _file.Position = 0;
            await _blobs.PutAsync(_blobKey, _file, "application/zip", cancellationToken);
            return _file.Length;
        }

        public async ValueTask DisposeAsync()
        {
            await _zip.DisposeAsync();
            await _file.DisposeAsync();
            _dir.Delete(recursive: true);
        }

        private static ZipEntry Entry(string path) => new(path) { AESKeySize = 256, DateTime = DateTime.UtcNow };
    }
}
