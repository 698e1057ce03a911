package io.deskgate.sdk;

import static io.deskgate.testing.TestNode.ALICE_AK;
import static io.deskgate.testing.TestNode.ALICE_SK;
import static io.deskgate.testing.TestNode.PROJECT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.huaweicloud.sdk.core.exception.ClientRequestException;
import com.huaweicloud.sdk.workspace.v2.WorkspaceClient;
import com.huaweicloud.sdk.workspace.v2.model.BatchActionDesktopsReq;
import com.huaweicloud.sdk.workspace.v2.model.BatchRunDesktopsRequest;
import com.huaweicloud.sdk.workspace.v2.model.BatchRunDesktopsResponse;
import com.huaweicloud.sdk.workspace.v2.model.CreateDesktopReq;
import com.huaweicloud.sdk.workspace.v2.model.CreateDesktopRequest;
import com.huaweicloud.sdk.workspace.v2.model.DeleteDesktopRequest;
import com.huaweicloud.sdk.workspace.v2.model.Desktop;
import com.huaweicloud.sdk.workspace.v2.model.ShowDesktopDetailRequest;
import com.huaweicloud.sdk.workspace.v2.model.ShowJobRequest;
import com.huaweicloud.sdk.workspace.v2.model.ShowJobResponse;
import com.huaweicloud.sdk.workspace.v2.model.ShowRemoteConsoleAddressRequest;
import io.deskgate.testing.TestNode;
import io.deskgate.testing.Workspace;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The desktop lifecycle through Huawei's official Java SDK, on desktops of the xvnc provider. */
class HuaweiSdkLifecycleTest {

  static TestNode node;
  static WorkspaceClient sdk;

  @BeforeAll
  static void start() {
    node = TestNode.start(TestNode.standardInventory(5999), Map.of("DESKGATE_PROVIDERS_XVNC_PRODUCTS",
        "{small: {geometry: 640x480, depth: 24, command: \"xterm\"}}"));
    sdk = HuaweiSdkTest.client(node, ALICE_AK, ALICE_SK, PROJECT);
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  static ShowJobResponse awaitJob(String jobId) {
    return Workspace.until(() -> sdk.showJob(new ShowJobRequest().withJobId(jobId)),
        j -> j.getStatus().equals("SUCCESS") || j.getStatus().equals("FAILED"), Duration.ofSeconds(30), "job " + jobId);
  }

  @Test
  void createRunDeleteWithTheSdk() {
    String jobId = sdk.createDesktop(new CreateDesktopRequest().withBody(new CreateDesktopReq()
        .withProductId("small").withDesktops(List.of(new Desktop().withUserName("alice").withComputerName("sdk-vm")))))
        .getJobId();
    ShowJobResponse created = awaitJob(jobId);
    assertThat(created.getStatus()).isEqualTo("SUCCESS");
    assertThat(created.getJobType()).isEqualTo("createDesktop");
    String id = created.getSubJobs().get(0).getEntities().getDesktopId();
    assertThat(sdk.showDesktopDetail(new ShowDesktopDetailRequest().withDesktopId(id)).getDesktop().getStatus())
        .isEqualTo("ACTIVE");

    BatchRunDesktopsResponse stop = sdk.batchRunDesktops(new BatchRunDesktopsRequest().withBody(new BatchActionDesktopsReq()
        .withDesktopIds(List.of(id)).withOpType("os-stop").withType(BatchActionDesktopsReq.TypeEnum.SOFT)));
    assertThat(stop.getFailedOperationList()).isNullOrEmpty();
    assertThat(awaitJob(stop.getJobId()).getStatus()).isEqualTo("SUCCESS");
    var stopped = sdk.showDesktopDetail(new ShowDesktopDetailRequest().withDesktopId(id)).getDesktop();
    assertThat(stopped.getStatus()).isEqualTo("SHUTOFF");
    assertThat(stopped.getTaskStatus()).isEmpty();
    ClientRequestException conflict = catchThrowableOfType(ClientRequestException.class,
        () -> sdk.showRemoteConsoleAddress(new ShowRemoteConsoleAddressRequest().withDesktopId(id)));
    assertThat(conflict.getHttpStatusCode()).isEqualTo(409);
    assertThat(conflict.getErrorCode()).isEqualTo("WKS.00010032");

    BatchRunDesktopsResponse start = sdk.batchRunDesktops(new BatchRunDesktopsRequest().withBody(new BatchActionDesktopsReq()
        .withDesktopIds(List.of(id, "not-a-desktop")).withOpType("os-start")));
    assertThat(start.getFailedOperationList()).hasSize(1);
    assertThat(start.getFailedOperationList().get(0).getDesktopId()).isEqualTo("not-a-desktop");
    assertThat(start.getFailedOperationList().get(0).getErrorCode()).isEqualTo("WKS.00000404");
    assertThat(awaitJob(start.getJobId()).getStatus()).isEqualTo("SUCCESS");
    assertThat(sdk.showRemoteConsoleAddress(new ShowRemoteConsoleAddressRequest().withDesktopId(id)).getUrl())
        .contains("token=");

    assertThat(sdk.deleteDesktop(new DeleteDesktopRequest().withDesktopId(id)).getHttpStatusCode()).isEqualTo(204);
    Workspace.until(() -> catchThrowableOfType(ClientRequestException.class,
        () -> sdk.showDesktopDetail(new ShowDesktopDetailRequest().withDesktopId(id))),
        e -> e != null && e.getHttpStatusCode() == 404, Duration.ofSeconds(30), "the desktop to be gone");
  }

  @Test
  void anUnknownProductIsA400() {
    ClientRequestException e = catchThrowableOfType(ClientRequestException.class,
        () -> sdk.createDesktop(new CreateDesktopRequest().withBody(new CreateDesktopReq().withProductId("huge")
            .withDesktops(List.of(new Desktop().withUserName("alice"))))));
    assertThat(e.getHttpStatusCode()).isEqualTo(400);
    assertThat(e.getErrorMsg()).contains("product_id 'huge'");
  }
}
