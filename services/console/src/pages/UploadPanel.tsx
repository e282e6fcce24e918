// Upload of a model or a dataset through a signed URL, with progress and the inspection result.
import { useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { ProgressBar } from '../components/Progress.tsx';
import { UserErrors } from '../components/Status.tsx';
import { formatBytes, sameOriginPath } from '../format.ts';
import { graphql } from '../gql/index.ts';
import { putWithProgress, sha256Hex } from '../upload.ts';

const CreateUpload = graphql(`
  mutation CreateUpload($input: CreateUploadInput!) {
    createUpload(input: $input) { upload { id } uploadUrl userErrors { message } }
  }
`);
const CompleteModel = graphql(`
  mutation CompleteModelUpload($input: CompleteModelUploadInput!) {
    completeModelUpload(input: $input) {
      modelVersion { id version format parameterCount bytes layerTypes signature { inputs { name dtype shape } outputs { name dtype shape } } }
      userErrors { message }
    }
  }
`);
const CompleteDataset = graphql(`
  mutation CompleteDatasetUpload($input: CompleteDatasetUploadInput!) {
    completeDatasetUpload(input: $input) {
      dataset { id name format kind sampleCount inputShape labels splits { split count } }
      userErrors { message }
    }
  }
`);

type Kind = 'MODEL' | 'DATASET';

export function UploadPanel({ projectId, onDone }: { projectId: string; onDone: () => void }) {
  const [kind, setKind] = useState<Kind>('MODEL');
  const [file, setFile] = useState<File | null>(null);
  const [name, setName] = useState('');
  const [stage, setStage] = useState<string | null>(null);
  const [progress, setProgress] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [inspection, setInspection] = useState<string[] | null>(null);
  const [, createUpload] = useMutation(CreateUpload);
  const [modelResult, completeModel] = useMutation(CompleteModel);
  const [datasetResult, completeDataset] = useMutation(CompleteDataset);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!file) return;
    setError(null);
    setInspection(null);
    setProgress(0);
    try {
      setStage('Hashing');
      const sha256 = await sha256Hex(file);
      setStage('Requesting upload URL');
      const created = await createUpload({ input: { purpose: kind, filename: file.name, bytes: file.size, sha256 } });
      const payload = created.data?.createUpload;
      if (!payload?.uploadUrl || !payload.upload) throw new Error(payload?.userErrors[0]?.message ?? created.error?.message ?? 'could not create the upload');
      setStage('Uploading');
      await putWithProgress(sameOriginPath(payload.uploadUrl), file, setProgress);
      setStage('Inspecting');
      const label = name.trim() || file.name.replace(/\.[^.]+$/, '');
      if (kind === 'MODEL') {
        const r = await completeModel({ input: { projectId, uploadId: payload.upload.id, modelName: label } });
        const v = r.data?.completeModelUpload.modelVersion;
        if (!v) throw new Error(r.data?.completeModelUpload.userErrors[0]?.message ?? r.error?.message ?? 'the model was not accepted');
        setInspection([
          `${label} v${v.version}: ${v.format}, ${v.parameterCount.toLocaleString()} parameters, ${formatBytes(v.bytes)}`,
          `inputs ${v.signature.inputs.map((t) => `${t.name} ${t.dtype}[${t.shape.map((d) => d ?? '?').join('×')}]`).join(', ')}`,
          `outputs ${v.signature.outputs.map((t) => `${t.name} ${t.dtype}[${t.shape.map((d) => d ?? '?').join('×')}]`).join(', ')}`,
          `layers ${[...new Set(v.layerTypes)].join(', ')}`,
        ]);
      } else {
        const r = await completeDataset({ input: { projectId, uploadId: payload.upload.id, name: label } });
        const d = r.data?.completeDatasetUpload.dataset;
        if (!d) throw new Error(r.data?.completeDatasetUpload.userErrors[0]?.message ?? r.error?.message ?? 'the dataset was not accepted');
        setInspection([
          `${d.name}: ${d.format} ${d.kind}, ${d.sampleCount.toLocaleString()} samples, input [${d.inputShape.join('×')}]`,
          `splits ${d.splits.map((s) => `${s.split} ${s.count}`).join(', ')}`,
          `labels ${d.labels.slice(0, 20).join(', ')}${d.labels.length > 20 ? ' …' : ''}`,
        ]);
      }
      setStage('Done');
      setFile(null);
      setName('');
      onDone();
    } catch (err) {
      setStage(null);
      setError((err as Error).message);
    }
  }

  return (
    <form onSubmit={submit} className="upload" aria-label="Upload">
      <fieldset>
        <legend>What</legend>
        <label><input type="radio" name="kind" checked={kind === 'MODEL'} onChange={() => setKind('MODEL')} /> Model (.h5, .keras, TF.js zip)</label>
        <label><input type="radio" name="kind" checked={kind === 'DATASET'} onChange={() => setKind('DATASET')} /> Dataset (.npz, .npy, IDX, CSV, JSONL, image zip)</label>
      </fieldset>
      <label>File <input type="file" onChange={(e) => setFile(e.target.files?.[0] ?? null)} required /></label>
      <label>Name <input value={name} onChange={(e) => setName(e.target.value)} placeholder="from the file name" /></label>
      <button type="submit" disabled={!file || (stage !== null && stage !== 'Done')}>Upload</button>
      {stage && <p role="status">{stage}{stage === 'Uploading' ? '…' : ''}</p>}
      {(stage === 'Uploading' || stage === 'Inspecting' || stage === 'Done') && <ProgressBar value={progress} label="Upload progress" />}
      {error && <p role="alert" className="error">{error}</p>}
      <UserErrors errors={modelResult.data?.completeModelUpload.userErrors ?? datasetResult.data?.completeDatasetUpload.userErrors} />
      {inspection && <ul className="inspection" aria-label="Inspection result">{inspection.map((line) => <li key={line}>{line}</li>)}</ul>}
    </form>
  );
}
