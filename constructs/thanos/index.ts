import { Construct } from "constructs";
import { ServiceContainer, wgetHealthcheck } from "../common/service-container";
import {
  HASHRING_FILE,
  queryFlags,
  receiveEndpoints,
  receiveFlags,
  receiveNodeName,
  renderHashring,
  THANOS_CONFIG_DIR,
  THANOS_DATA_DIR,
  THANOS_PORTS,
  THANOS_QUERY_NAME,
} from "./config";
import { ThanosReceiveStoreSpec } from "../../spec/store";

export * from "./config";
export * from "../../spec/store";

interface ThanosProps {
  readonly environment: string;
  readonly networkName: string;
  readonly store: ThanosReceiveStoreSpec;
}

/**
 * One node of the Thanos Receive hashring (quay.io/thanos/thanos, busybox-based: wget healthcheck):
 * takes remote_write on 19291, forwards each series to its `replicationFactor` owners, answers Query
 * over gRPC. Its TSDB is on a named volume; only the monitoring network reaches its ports.
 */
export class ThanosReceive extends ServiceContainer {
  constructor(scope: Construct, id: string, props: ThanosProps & { readonly index: number }) {
    const r = props.store.receive;
    const endpoints = receiveEndpoints(r.nodes);
    super(scope, id, {
      environment: props.environment,
      service: receiveNodeName(props.index),
      image: r.image,
      command: receiveFlags({ store: props.store, index: props.index, localEndpoint: endpoints[props.index] }),
      files: [{ containerPath: `${THANOS_CONFIG_DIR}/${HASHRING_FILE}`, content: renderHashring(endpoints) }],
      volumes: [{ name: "data", containerPath: THANOS_DATA_DIR }],
      ports: [],
      networkName: props.networkName,
      healthcheck: wgetHealthcheck(`http://127.0.0.1:${THANOS_PORTS.http}/-/ready`),
      memoryMb: r.memoryMb,
      cpus: r.cpus,
    });
  }
}

/**
 * Thanos Query: the deduplicated PromQL endpoint Grafana reads. It fans out to every receive node
 * and folds the copies of a series that differ only in `replica` / `receive_replica` into one.
 */
export class ThanosQuery extends ServiceContainer {
  constructor(scope: Construct, id: string, props: ThanosProps) {
    const q = props.store.query;
    super(scope, id, {
      environment: props.environment,
      service: THANOS_QUERY_NAME,
      image: q.image,
      command: queryFlags({ endpoints: receiveEndpoints(props.store.receive.nodes) }),
      ports: [{ internal: THANOS_PORTS.http, external: q.port }],
      networkName: props.networkName,
      healthcheck: wgetHealthcheck(`http://127.0.0.1:${THANOS_PORTS.http}/-/ready`),
      memoryMb: q.memoryMb,
      cpus: q.cpus,
    });
  }
}
