// Validates Kubernetes objects against the API schemas of kubernetes-models (and of KEDA's CRDs, from
// @kubernetes-models/keda), for test/deploy/k8s.spec.ts. Both packages are ES modules only, which Jest's
// CommonJS runtime cannot load, so the spec runs this file with Node.
// stdin: a JSON array of objects. stdout: a JSON array of { index, error }, one per object that fails;
// an apiVersion/kind this file does not know fails too (add its model here when the manifests use it).
import { ConfigMap, Namespace, Secret, Service } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { Job } from 'kubernetes-models/batch/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1';

const models = [ConfigMap, Namespace, Secret, Service, Deployment, Job, PodDisruptionBudget, HorizontalPodAutoscaler, ScaledObject];
const byType = new Map(models.map((model) => [`${model.apiVersion}/${model.kind}`, model]));

let input = '';
for await (const chunk of process.stdin) input += chunk;
const failures = [];
JSON.parse(input).forEach((object, index) => {
  const model = byType.get(`${object.apiVersion}/${object.kind}`);
  if (!model) {
    failures.push({ index, error: `no model for ${object.apiVersion} ${object.kind} (known: ${[...byType.keys()].join(', ')})` });
    return;
  }
  try {
    new model(object).validate();
  } catch (error) {
    failures.push({ index, error: error instanceof Error ? error.message : String(error) });
  }
});
process.stdout.write(JSON.stringify(failures));
