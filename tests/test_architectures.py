"""Notebooks 13-14's library: CNN architectures, counting, augmentation, Kaggle submission files."""

import numpy as np
import pytest
import torch
from torch import nn

from helpers.torch_nn import architectures as A
from helpers.torch_nn import augment as G
from helpers.torch_nn import submission as S

X = torch.randn(3, 1, 28, 28)


def _hand_conv(c_in, c_out, k):
    return c_out * (c_in * k * k + 1)


def _hand_linear(d_in, d_out):
    return d_out * (d_in + 1)


def _hand_bn(c):
    return 2 * c


HAND_COUNTS = {
    "MnistCNN": _hand_conv(1, 32, 3) + _hand_conv(32, 64, 3) + _hand_linear(9216, 128)
    + _hand_linear(128, 10),
    "LeNet5": _hand_conv(1, 6, 5) + _hand_conv(6, 16, 5) + _hand_linear(400, 120)
    + _hand_linear(120, 84) + _hand_linear(84, 10),
    "DeepBNCNN": sum(_hand_conv(a, b, 3) + _hand_bn(b) for a, b in ((1, 64), (64, 128), (128, 256),
                                                                    (256, 512)))
    + 2 * (_hand_linear(512, 512) + _hand_bn(512)) + _hand_linear(512, 10),
    "SmallBNCNN": _hand_conv(1, 32, 3) + _hand_bn(32) + _hand_conv(32, 64, 3) + _hand_bn(64)
    + _hand_linear(3136, 128) + _hand_linear(128, 10),
}

MODELS = [A.MnistCNN, A.DeepBNCNN, A.SmallBNCNN, A.LeNet5, A.AlexNetSmall, A.VGGSmall,
          A.ResNetSmall, A.InceptionSmall]


@pytest.mark.parametrize("cls", MODELS, ids=lambda c: c.__name__)
def test_output_shape_and_backward(cls):
    torch.manual_seed(0)
    model = cls()
    out = model(X)
    assert out.shape == (3, 10)
    out.sum().backward()
    assert all(p.grad is not None for p in model.parameters())


@pytest.mark.parametrize("name", sorted(HAND_COUNTS))
def test_parameter_counts_match_hand_counts(name):
    assert A.count_params(getattr(A, name)()) == HAND_COUNTS[name]


def test_known_totals():
    assert A.count_params(A.MnistCNN()) == 1_199_882
    assert A.count_params(A.LeNet5()) == 61_706


def test_feature_map_shapes():
    assert A.MnistCNN().features(X).shape == (3, 64, 12, 12)
    assert A.DeepBNCNN().features(X).shape == (3, 512, 1, 1)
    assert A.LeNet5().features(X).shape == (3, 16, 5, 5)
    assert A.VGGSmall(width=8).features(X).shape == (3, 32, 3, 3)
    assert A.vgg_block(1, 4, 3)(X).shape == (3, 4, 14, 14)


def test_residual_block_is_identity_at_zero_weights():
    block = A.ResidualBlock(4, 4)
    for p in block.parameters():
        nn.init.zeros_(p)
    x = torch.randn(2, 4, 7, 7)
    for mode in (block.train, block.eval):
        mode()
        torch.testing.assert_close(block(x), torch.relu(x))
        torch.testing.assert_close(block(x.abs()), x.abs())  # non-negative input: exactly x
    plain = A.ResidualBlock(4, 4, residual=False)
    for p in plain.parameters():
        nn.init.zeros_(p)
    assert torch.all(plain(x) == 0)  # without the shortcut, zero weights give zero


def test_residual_block_shapes_and_projection():
    block = A.ResidualBlock(4, 8, stride=2)
    assert block(torch.randn(2, 4, 7, 7)).shape == (2, 8, 4, 4)
    assert isinstance(block.shortcut, nn.Sequential)
    assert isinstance(A.ResidualBlock(4, 4).shortcut, nn.Identity)


def test_inception_concatenates_branches():
    block = A.InceptionBlock(8, 2, 3, 4, 1, 5, 6)
    out = block(torch.randn(2, 8, 9, 9))
    assert out.shape == (2, 2 + 4 + 5 + 6, 9, 9) and block.out_channels == 17
    # channels 0-1 are the 1×1 branch, 2-5 the 3×3 branch: concatenated in order
    x = torch.randn(2, 8, 9, 9)
    block.eval()
    torch.testing.assert_close(block(x)[:, :2], block.branch1(x))
    torch.testing.assert_close(block(x)[:, 2:6], block.branch3(x))


def test_deep_stack_plain_and_residual_have_the_same_parameters():
    plain, res = A.DeepStack(6, residual=False), A.DeepStack(6, residual=True)
    assert A.count_params(plain) == A.count_params(res)
    assert plain(X).shape == res(X).shape == (3, 10)


@pytest.mark.parametrize("c_in,c_out,k,stride,pad,size", [(1, 32, 3, 1, 0, 28), (32, 64, 3, 1, 0, 26),
                                                          (3, 8, 5, 2, 2, 28), (6, 16, 5, 1, 0, 14)])
def test_conv_flops_equal_the_formula(c_in, c_out, k, stride, pad, size):
    conv = nn.Conv2d(c_in, c_out, k, stride=stride, padding=pad)
    h_out = A.conv2d_output_size(size, k, stride, pad)
    assert conv(torch.zeros(1, c_in, size, size)).shape[-1] == h_out
    assert A.count_flops(conv, (2, c_in, size, size)) == A.conv2d_flops(c_in, c_out, k, h_out, h_out, n=2)


def test_model_flops_are_the_sum_of_layers():
    m = A.MnistCNN()
    expected = (A.conv2d_flops(1, 32, 3, 26, 26) + A.conv2d_flops(32, 64, 3, 24, 24)
                + 2 * 9216 * 128 + 2 * 128 * 10)
    assert A.count_flops(m) == expected
    per = A.count_flops(m, per_module=True)
    assert per["Global"] == expected


def test_counting_bad_inputs():
    with pytest.raises(TypeError, match="model"):
        A.count_params("not a model")
    with pytest.raises(ValueError, match="input_shape"):
        A.count_flops(A.LeNet5(), (28, 28))
    with pytest.raises(ValueError, match="c_in"):
        A.conv2d_flops(0, 1, 3, 2, 2)
    with pytest.raises(ValueError, match="kernel"):
        A.conv2d_output_size(2, 5)
    with pytest.raises(ValueError, match="N, C=1"):
        A.MnistCNN()(torch.zeros(2, 28, 28))
    with pytest.raises(TypeError):
        A.MnistCNN()(np.zeros((2, 1, 28, 28)))


def test_freeze():
    m = A.SmallBNCNN()
    A.freeze(m.features)
    assert A.count_params(m, trainable_only=True) == A.count_params(m.classifier)
    A.freeze(m.features, frozen=False)
    assert A.count_params(m, trainable_only=True) == A.count_params(m)


def test_mixed_precision_returns_float32_and_trains():
    torch.manual_seed(0)
    m = A.MixedPrecision(A.LeNet5())
    out = m(X)
    assert out.dtype == torch.float32 and out.shape == (3, 10)
    out.sum().backward()
    assert m.model.features[0].weight.grad.dtype == torch.float32


# ---------------------------------------------------------------------------- augmentation

def test_crop_identity_offset_and_shift():
    x = torch.arange(2 * 16, dtype=torch.float32).reshape(2, 1, 4, 4)
    torch.testing.assert_close(G.crop(x, torch.tensor([[1, 1], [1, 1]]), 1), x)
    shifted = G.crop(x, torch.tensor([[0, 1], [2, 1]]), 1)
    torch.testing.assert_close(shifted[0, 0, 1:], x[0, 0, :3])   # moved down by one row
    assert torch.all(shifted[0, 0, 0] == 0)
    torch.testing.assert_close(shifted[1, 0, :3], x[1, 0, 1:])   # moved up


def test_fill_is_the_background_value():
    x = torch.full((1, 1, 4, 4), -0.5)
    torch.testing.assert_close(G.crop(x, torch.tensor([[0, 0]]), 2, fill=-0.5), x)
    torch.testing.assert_close(G.rotate(x, torch.tensor([30.0]), fill=-0.5), x, atol=1e-5, rtol=0)
    assert G.crop(x, torch.tensor([[0, 0]]), 2)[0, 0, 0, 0] == 0  # default: zero fill
    t = G.random_rotate(20, fill=-0.5)(x)
    torch.testing.assert_close(t, x, atol=1e-5, rtol=0)


def test_flip_and_rotate():
    x = torch.randn(3, 1, 8, 8)
    out = G.flip(x, torch.tensor([True, False, True]))
    torch.testing.assert_close(out[0], x[0].flip(-1))
    torch.testing.assert_close(out[1], x[1])
    torch.testing.assert_close(G.rotate(x, torch.zeros(3)), x, atol=1e-5, rtol=1e-5)
    r90 = G.rotate(x, torch.full((3,), 90.0))
    # 90 degrees is a rotation of the pixel grid either way: the same pixel multiset
    torch.testing.assert_close(r90.flatten(1).sort().values, x.flatten(1).sort().values,
                               atol=1e-4, rtol=1e-4)
    for four in (torch.rot90(x, 1, dims=(2, 3)), torch.rot90(x, -1, dims=(2, 3))):
        if torch.allclose(r90, four, atol=1e-4):
            break
    else:
        raise AssertionError("rotating by 90 degrees is not a 90-degree rotation of the grid")


def test_random_transforms_keep_shape_dtype_and_are_seeded():
    x = torch.rand(5, 1, 28, 28)
    for t in (G.random_crop(2), G.random_flip(), G.random_rotate(15),
              G.Compose(G.random_crop(2), G.random_rotate(10))):
        out = t(x)
        assert out.shape == x.shape and out.dtype == x.dtype
    a = G.random_crop(3, seed=1)(x)
    b = G.random_crop(3, seed=1)(x)
    torch.testing.assert_close(a, b)


def test_augment_bad_inputs():
    with pytest.raises(ValueError, match="N, C, H, W"):
        G.random_crop(2)(torch.zeros(28, 28))
    with pytest.raises(TypeError, match="float"):
        G.random_flip()(torch.zeros(2, 1, 4, 4, dtype=torch.uint8))
    with pytest.raises(ValueError, match="padding"):
        G.random_crop(-1)
    with pytest.raises(ValueError, match="y must"):
        G.TensorLoader(np.zeros((4, 28, 28)), np.zeros(3))


def test_tensor_loader_covers_every_sample_once():
    X_ = np.arange(10, dtype=np.float32)[:, None, None].repeat(4, 1).repeat(4, 2)
    loader = G.TensorLoader(X_, np.arange(10), batch_size=4, seed=0)
    assert len(loader) == 3
    batches = list(loader)
    assert [len(b[1]) for b in batches] == [4, 4, 2]
    assert batches[0][0].shape == (4, 1, 4, 4)
    seen = torch.cat([b[1] for b in batches])
    assert sorted(seen.tolist()) == list(range(10))
    for xb, yb in batches:  # inputs stay paired with their labels
        torch.testing.assert_close(xb[:, 0, 0, 0], yb.float())


# ---------------------------------------------------------------------------- submission

def test_submission_format(tmp_path):
    labels = np.array([7, 2, 1, 0, 4])
    path = S.write_submission(labels, tmp_path / "submission.csv")
    lines = path.read_text().splitlines()
    assert lines == ["ImageId,Label", "1,7", "2,2", "3,1", "4,0", "5,4"]
    np.testing.assert_array_equal(S.validate_submission(path, n_rows=5), labels)
    S.write_submission(torch.tensor(labels), path)  # tensors work too
    np.testing.assert_array_equal(S.read_submission(path), labels)


def test_submission_writer_gives_28000_rows_for_the_kaggle_test_csv(tmp_path):
    rng = np.random.default_rng(0)
    n = S.KAGGLE_TEST_ROWS
    pixels = rng.integers(0, 256, size=(n, 784))
    csv_path = tmp_path / "test.csv"
    header = ",".join(f"pixel{i}" for i in range(784))
    np.savetxt(csv_path, pixels[:50], fmt="%d", delimiter=",", header=header, comments="")
    images = S.read_kaggle_images(csv_path)
    assert images.shape == (50, 28, 28) and images.dtype == np.uint8
    np.testing.assert_array_equal(images.reshape(50, -1), pixels[:50])
    # the writer on 28,000 predictions (as many as the competition's test.csv has rows)
    path = S.write_submission(rng.integers(0, 10, size=n), tmp_path / "sub.csv")
    assert len(path.read_text().splitlines()) == n + 1
    assert len(S.validate_submission(path, n_rows=n)) == n


@pytest.mark.parametrize("text,match", [
    ("ImageID,Label\n1,3\n", "header"),
    ("ImageId,Label\n0,3\n1,4\n", "starting at 1"),
    ("ImageId,Label\n1,3\n3,4\n", "ImageId must count"),
    ("ImageId,Label\n1,12\n", "digits"),
    ("ImageId,Label\n1,3.0\n", "two integers"),
    ("1,3\n2,4\n", "header"),
])
def test_validate_submission_names_the_problem(tmp_path, text, match):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(ValueError, match=match):
        S.validate_submission(path)


def test_submission_bad_inputs(tmp_path):
    with pytest.raises(ValueError, match="argmax"):
        S.write_submission(np.zeros((4, 10)), tmp_path / "s.csv")
    with pytest.raises(ValueError, match="0..9"):
        S.write_submission(np.array([1, 10]), tmp_path / "s.csv")
    with pytest.raises(ValueError, match="rows"):
        S.validate_submission(S.write_submission([1, 2], tmp_path / "s.csv"), n_rows=3)
    bad = tmp_path / "train.csv"
    bad.write_text("label," + ",".join(f"pixel{i}" for i in range(784)) + "\n")
    with pytest.raises(ValueError, match="train.csv"):
        S.read_kaggle_images(bad)
