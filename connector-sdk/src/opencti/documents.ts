/**
 * The GraphQL documents the SDK sends, as pycti 6.8.10 sends them (pycti-stream-protocol.md §2–§7).
 * A test validates each against OpenCTI 6.9.17's schema (`schema/opencti.graphql`).
 */

export const HEALTH_CHECK = `query healthCheck {
  about {
    version
  }
}`;

export const REGISTER_CONNECTOR = `mutation RegisterConnector($input: RegisterConnectorInput) {
  registerConnector(input: $input) {
    id
    connector_state
    config {
      connection {
        host
        vhost
        use_ssl
        port
        user
        pass
      }
      listen
      listen_routing
      listen_exchange
      push
      push_routing
      push_exchange
    }
    connector_user_id
  }
}`;

export const PING_CONNECTOR = `mutation PingConnector($id: ID!, $state: String, $connectorInfo: ConnectorInfoInput) {
  pingConnector(id: $id, state: $state, connectorInfo: $connectorInfo) {
    id
    connector_state
    connector_info {
      run_and_terminate
      buffering
      queue_threshold
      queue_messages_size
      next_run_datetime
      last_run_datetime
    }
  }
}`;

export const STREAM_COLLECTION = `query StreamCollection($id: String!) {
  streamCollection(id: $id) {
    id
    name
    description
    stream_live
    stream_public
  }
}`;

/** Every document above, for the schema-validation test. */
export const ALL_DOCUMENTS = {
  HEALTH_CHECK,
  REGISTER_CONNECTOR,
  PING_CONNECTOR,
  STREAM_COLLECTION,
} as const;
