/** Running the controller permanently: a systemd unit or a compose service, rendered as text. */

export interface ControllerInstall {
  /** folder holding strato.yaml */
  projectDir: string
  /** absolute path of the strato executable */
  strato: string
  project: string
  intervalSeconds: number
  imageMap?: string
}

export function renderSystemdUnit(install: ControllerInstall): string {
  return [
    '[Unit]',
    `Description=strato autoscaling controller for ${install.project}`,
    'After=docker.service network-online.target',
    'Wants=network-online.target',
    '',
    '[Service]',
    'Type=simple',
    `WorkingDirectory=${install.projectDir}`,
    ...(install.imageMap ? [`Environment=STRATO_IMAGE_MAP=${install.imageMap}`] : []),
    'Environment=NO_COLOR=1',
    `ExecStart=${install.strato} autoscale run --interval ${install.intervalSeconds}`,
    'Restart=always',
    'RestartSec=5',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n')
}

/** A compose service running strato's controller against the host's engine through its socket. */
export function renderComposeService(install: ControllerInstall & { image: string }): string {
  return [
    'services:',
    `  ${install.project}-autoscaler:`,
    `    image: ${install.image}`,
    '    restart: unless-stopped',
    '    working_dir: /project',
    `    command: ["strato", "autoscale", "run", "--interval", "${install.intervalSeconds}"]`,
    '    environment:',
    '      NO_COLOR: "1"',
    ...(install.imageMap ? [`      STRATO_IMAGE_MAP: ${install.imageMap}`] : []),
    '    volumes:',
    `      - ${install.projectDir}:/project:ro`,
    '      - /var/run/docker.sock:/var/run/docker.sock',
    '',
  ].join('\n')
}
