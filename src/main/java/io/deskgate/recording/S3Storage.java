package io.deskgate.recording;

import io.deskgate.config.Config;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Recordings in S3-compatible object storage, so that any node of the region replays any recording. A
 * recording is written to this node's {@code recording.dir} first (objects cannot be appended to), and
 * put in the bucket, as {@code <prefix><day>/<id>.dgrec}, when it ends; its location is then
 * {@code s3://<bucket>/<key>}. A file that cannot be put stays where it was written, and its location
 * says so. Every call blocks: recorder and reader threads only.
 */
public final class S3Storage implements RecordingStorage {

  private static final String SCHEME = "s3://";

  private final LocalStorage spool;
  private final S3Client s3;
  private final String bucket;
  private final String prefix;

  public S3Storage(Path spoolDir, Config.S3 config) {
    this.spool = new LocalStorage(spoolDir);
    this.bucket = config.bucket();
    this.prefix = config.prefix();
    AwsCredentialsProvider credentials = config.accessKey() == null || config.accessKey().isEmpty()
        ? DefaultCredentialsProvider.builder().build()
        : StaticCredentialsProvider.create(AwsBasicCredentials.create(config.accessKey(), config.secretKey()));
    var builder = S3Client.builder()
        .region(Region.of(config.region()))
        .credentialsProvider(credentials)
        .forcePathStyle(config.pathStyle())
        // checksums beyond what S3 requires are not spoken by every S3-compatible server
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
        .httpClientBuilder(UrlConnectionHttpClient.builder()
            .connectionTimeout(Duration.ofSeconds(5)).socketTimeout(Duration.ofSeconds(60)))
        .overrideConfiguration(c -> c.apiCallTimeout(Duration.ofMinutes(10)));
    if (config.endpoint() != null && !config.endpoint().isEmpty()) {
      builder.endpointOverride(URI.create(config.endpoint()));
    }
    this.s3 = builder.build();
  }

  @Override
  public Sink create(String key) throws IOException {
    Sink local = spool.create(key);
    return new Sink() {
      @Override
      public OutputStream stream() {
        return local.stream();
      }

      @Override
      public String location() {
        return local.location();
      }

      @Override
      public String finish() throws IOException {
        local.finish();
        Path file = spool.resolve(key);
        try {
          s3.putObject(b -> b.bucket(bucket).key(prefix + key).contentType("application/octet-stream"),
              RequestBody.fromFile(file));
        } catch (SdkException e) {
          throw new IOException("cannot put " + key + " in bucket " + bucket + ": " + e.getMessage(), e);
        }
        Files.deleteIfExists(file);
        return SCHEME + bucket + "/" + prefix + key;
      }

      @Override
      public void discard() {
        local.discard();
      }
    };
  }

  @Override
  public InputStream open(String location) throws IOException {
    if (!shared(location)) {
      return spool.open(location);
    }
    String key = location.substring((SCHEME + bucket + "/").length());
    try {
      return s3.getObject(b -> b.bucket(bucket).key(key));
    } catch (SdkException e) {
      throw new IOException("cannot get " + key + " from bucket " + bucket + ": " + e.getMessage(), e);
    }
  }

  @Override
  public boolean shared(String location) {
    return location.startsWith(SCHEME + bucket + "/");
  }

  @Override
  public int purgeBefore(LocalDate oldestKept) throws IOException {
    int removed = spool.purgeBefore(oldestKept);
    try {
      for (CommonPrefix day : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix).delimiter("/"))
          .commonPrefixes()) {
        String name = day.prefix().substring(prefix.length()).replace("/", "");
        try {
          if (!LocalDate.parse(name).isBefore(oldestKept)) {
            continue;
          }
        } catch (DateTimeParseException notADay) {
          continue;
        }
        // one DELETE per object: the multi-object delete needs a checksum header not every S3-compatible
        // server implements, and a day's purge runs once
        for (S3Object object : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(day.prefix())).contents()) {
          s3.deleteObject(b -> b.bucket(bucket).key(object.key()));
          removed += object.key().endsWith(".dgrec") ? 1 : 0;
        }
      }
    } catch (SdkException e) {
      throw new IOException("cannot purge old recordings from bucket " + bucket + ": " + e.getMessage(), e);
    }
    return removed;
  }

  @Override
  public void close() {
    s3.close();
  }
}
